/**
 * The Environments panel: a project's environments with their build state;
 * edit name and setup script, build, follow and cancel builds, delete.
 * Opened with "Show Environments" (command palette), for the project of the
 * current pipeline editor or file browser folder, or the one given.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ReactWidget } from '@jupyterlab/ui-components';

import { IPipelineSummary } from '../api';
import { EnvironmentsPanelModel } from '../model/EnvironmentsPanelModel';
import { folderOf, normalizePath } from '../model/paths';
import { IPipelineEditorTracker } from '../editorTracker';
import { CommandIDs, PALETTE_CATEGORY } from '../ids';
import { IOrchestLabAPI } from '../tokens';
import { createEnvironmentsPanel } from '../widgets/EnvironmentsPanel';

/**
 * The project to show: the one asked for, else the one shown (when the panel
 * is open), else the current pipeline editor's, else the project the file
 * browser is in, else the first known.
 */
export function chooseProject(options: {
  asked?: string;
  shown: string | null;
  editorPath?: string | null;
  browserPath?: string | null;
  pipelines: readonly IPipelineSummary[];
  projects: readonly string[];
}): string | null {
  if (typeof options.asked === 'string') {
    return normalizePath(options.asked);
  }
  if (options.shown !== null) {
    return options.shown;
  }
  const { pipelines, projects } = options;
  if (options.editorPath) {
    const path = normalizePath(options.editorPath);
    const found = pipelines.find(p => normalizePath(p.path) === path);
    return normalizePath(found ? found.project : folderOf(path));
  }
  if (typeof options.browserPath === 'string') {
    const folder = normalizePath(options.browserPath);
    const containing = projects
      .filter(p => p === folder || p === '' || folder.startsWith(`${p}/`))
      .sort((a, b) => b.length - a.length);
    if (containing.length > 0) {
      return containing[0];
    }
  }
  return projects[0] ?? null;
}

export const environmentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'orchest-lab:environments',
  description:
    "The Environments panel: a project's environments, their builds and logs.",
  autoStart: true,
  requires: [IOrchestLabAPI],
  optional: [IPipelineEditorTracker, IDefaultFileBrowser, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    api: IOrchestLabAPI,
    tracker: IPipelineEditorTracker | null,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null
  ): void => {
    const { commands, shell, serviceManager } = app;
    let pipelines: IPipelineSummary[] = [];
    const listProjects = async (): Promise<string[]> => {
      pipelines = await api.pipelines.list();
      return pipelines.map(p => p.project);
    };
    const model = new EnvironmentsPanelModel({
      service: api.environments,
      listProjects
    });
    serviceManager.events.stream.connect((_, message) =>
      model.handleEvent(message)
    );

    // Definitions changed on disk (another editor, git): reload.
    let timer: ReturnType<typeof setTimeout> | null = null;
    serviceManager.contents.fileChanged.connect((_, change) => {
      const project = model.project;
      if (project === null) {
        return;
      }
      const prefix = `${project ? `${project}/` : ''}.orchest/environments/`;
      const paths = [change.oldValue?.path, change.newValue?.path];
      if (paths.some(p => typeof p === 'string' && p.startsWith(prefix))) {
        if (timer !== null) {
          clearTimeout(timer);
        }
        timer = setTimeout(() => {
          timer = null;
          void model.refresh();
        }, 300);
      }
    });

    let panel: MainAreaWidget<ReactWidget> | null = null;
    commands.addCommand(CommandIDs.showEnvironments, {
      label: 'Show Environments',
      caption:
        "Open the Environments panel: a project's environments, their builds and logs",
      execute: async args => {
        if (!panel || panel.isDisposed) {
          panel = createEnvironmentsPanel(model);
          // Closed: stop following a build log nobody sees.
          panel.disposed.connect(() => model.select(null));
        }
        const wasOpen = panel.isAttached;
        if (!wasOpen) {
          shell.add(panel, 'main');
        }
        shell.activateById(panel.id);
        await model.loadProjects();
        const project = chooseProject({
          asked: typeof args.project === 'string' ? args.project : undefined,
          shown: wasOpen ? model.project : null,
          editorPath: tracker?.currentWidget?.context.localPath ?? null,
          browserPath: browser?.model.path ?? null,
          pipelines,
          projects: model.projects
        });
        if (project !== null) {
          await model.setProject(project);
        }
        if (typeof args.environment === 'string' && args.environment) {
          model.select(args.environment);
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.showEnvironments,
      category: PALETTE_CATEGORY
    });

    commands.addCommand(CommandIDs.saveEnvironment, {
      label: 'Save Environment',
      caption: "Save the selected environment's name and setup script",
      isEnabled: () => !!model.selected,
      execute: () => {
        const env = model.selected;
        return env ? model.save(env.uuid) : false;
      }
    });
    commands.addKeyBinding({
      command: CommandIDs.saveEnvironment,
      keys: ['Accel S'],
      selector: '.orchest-lab-EnvironmentsPanel'
    });
  }
};
