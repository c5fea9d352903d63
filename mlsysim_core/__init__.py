"""mlsysim_core: a first-principles analytical engine for machine-learning systems.

    from mlsysim_core import Engine, Hardware, Models
    Engine.solve(Models.ResNet50, Hardware.A100).latency

Registries load their data on first use and the fleet-scale solvers, scenarios and plots are
imported on first access, so ``import mlsysim_core`` costs little more than importing pint.
"""
from __future__ import annotations

import importlib

from . import formulas
from .errors import InfeasibleError, MLSysError, OOMError, SpecError, UnitError, ZooError
from .formulas import *  # noqa: F401,F403  (the calc_* library)
from .results import Result
from .solvers.compression import CompressionModel
from .solvers.engine import Engine, SingleNodeModel
from .solvers.serving import ServingModel
from .units import BYTES_PER_ELEMENT, PRECISIONS, Q_, ureg
from .zoo import Hardware, Infra, Models, Systems, constants

__version__ = "0.1.0"

# name -> module that defines it; imported on first access (PEP 562)
_LAZY = {
    "DistributedModel": "solvers.distributed", "DistributedResult": "solvers.distributed",
    "EconomicsModel": "solvers.economics", "SustainabilityModel": "solvers.sustainability",
    "ReliabilityModel": "solvers.reliability", "ScalingModel": "solvers.training",
    "TrainingTimeModel": "solvers.training", "EffectiveFlopsModel": "solvers.analysis",
    "SensitivitySolver": "solvers.analysis", "SynthesisSolver": "solvers.analysis",
    "ParallelismOptimizer": "solvers.analysis",
    "Scenarios": "scenarios", "Scenario": "scenarios", "Personas": "scenarios",
    "SystemLedger": "scenarios",
    "plot_roofline": "plots", "plot_evaluation_scorecard": "plots", "plot_step_breakdown": "plots",
    "plot_bubble": "plots", "plot_young_daly": "plots", "plot_goodput_cascade": "plots",
    "plot_carbon_by_region": "plots",
    "ServingFleetModel": "solvers.capacity", "ServingFleetResult": "solvers.capacity",
    "ContinuousBatchingModel": "solvers.batching", "ContinuousBatchingResult": "solvers.batching",
    "WeightStreamingModel": "solvers.streaming", "WeightStreamingResult": "solvers.streaming",
    "InferenceScalingModel": "solvers.reasoning", "InferenceScalingResult": "solvers.reasoning",
    "ScaleModel": "solvers.scale", "ScaleResult": "solvers.scale",
    "FleetHealthModel": "solvers.fleet_health", "FleetHealthResult": "solvers.fleet_health",
    "DriftModel": "solvers.drift", "DriftResult": "solvers.drift",
    "LayerModel": "solvers.layers", "LayerResult": "solvers.layers",
    "DataScalingModel": "solvers.data_scaling", "DataScalingResult": "solvers.data_scaling",
    "BenchmarkModel": "solvers.benchmarking", "BenchmarkResult": "solvers.benchmarking",
    "LifecycleModel": "solvers.lifecycle", "LifecycleResult": "solvers.lifecycle",
    "DeploymentModel": "solvers.deployment", "DeploymentResult": "solvers.deployment",
    "EdgeThermalModel": "solvers.deployment", "ThermalResult": "solvers.deployment",
    "AuditModel": "solvers.audit", "AuditResult": "solvers.audit",
    "CheckpointModel": "solvers.checkpoint", "CheckpointResult": "solvers.checkpoint",
    "TopologyModel": "solvers.topology", "TopologyResult": "solvers.topology",
    "OrchestrationModel": "solvers.orchestration", "OrchestrationResult": "solvers.orchestration",
    "DataModel": "solvers.data", "DataResult": "solvers.data",
    "TransformationModel": "solvers.transformation", "TransformationResult": "solvers.transformation",
    "ResponsibleEngineeringModel": "solvers.responsible", "ResponsibleEngineeringResult": "solvers.responsible",
    "PrivacyCostModel": "solvers.safeguards", "SecureAggregationModel": "solvers.safeguards",
    "RobustnessBudgetModel": "solvers.safeguards", "FairnessAuditModel": "solvers.safeguards",
    "EfficiencyModel": "solvers.efficiency", "EfficiencyResult": "solvers.efficiency",
    "walls": "walls",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlsysim_core' has no attribute {name!r}")
    mod = importlib.import_module(f".{module}", __name__)
    value = mod if module == name else getattr(mod, name)   # "walls": the module itself
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["Engine", "SingleNodeModel", "ServingModel", "CompressionModel", "Hardware", "Models",
           "Systems", "Infra", "ureg", "Q_", "constants", "formulas", "Result", "MLSysError",
           "SpecError", "UnitError", "ZooError", "InfeasibleError", "OOMError", "PRECISIONS",
           "BYTES_PER_ELEMENT", *formulas.__all__, *_LAZY]
