"""The step runner of pods: `python -m orchest_lab.runner FILE` runs one notebook (cell by
cell) or script and reports its outputs as lines on stdout (see protocol.py) for the server,
which follows the pod's log. It needs only nbclient, nbformat and a kernel in the image."""
