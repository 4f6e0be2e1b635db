"""Steps as Kubernetes Jobs: `c.OrchestLab.executor_class =
"orchest_lab.executors.kubernetes.KubernetesExecutor"` (see executor.py)."""

from .executor import KubernetesExecutor

__all__ = ["KubernetesExecutor"]
