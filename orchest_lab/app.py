from jupyter_server.extension.application import ExtensionApp


class OrchestLab(ExtensionApp):
    name = "orchest_lab"
