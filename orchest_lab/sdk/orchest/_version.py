# The SDK's version: Orchest's SDK API 0.3 (its last), as implemented by orchest-lab.
__version__ = "0.3.11+orchestlab"
