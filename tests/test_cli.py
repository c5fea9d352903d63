"""The command line: --help everywhere, --json equal to the Python API, one-line errors with exit 2."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlsysim_core import (DistributedModel, EconomicsModel, Engine, Hardware, Models,
                          ParallelismOptimizer, ReliabilityModel, ServingModel, SustainabilityModel,
                          Systems)
from mlsysim_core.cli import main
from mlsysim_core.terminal import render, terminal_math

ROOT = Path(__file__).resolve().parents[1]
SUBCOMMANDS = ("roofline", "serve", "train", "search", "tco", "carbon", "reliability", "walls", "zoo")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def same(cli: dict, api: dict):
    """Every API field is in the JSON with the same raw value (inf/NaN as null)."""
    assert set(cli) == set(api)
    for k, v in api.items():
        if isinstance(v, float):
            assert (cli[k] is None) if not math.isfinite(v) else cli[k] == pytest.approx(v, rel=1e-12), k
        elif isinstance(v, (bool, int, str)) or v is None:
            assert cli[k] == v, k


# ---------------------------------------------------------------- help

@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    assert "example:" in out and f"mlsysim-core {cmd}" in out
    assert "--json" in out and "SI base units" in " ".join(out.split())


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in SUBCOMMANDS:
        assert cmd in out


# ---------------------------------------------------------------- JSON equals the API

def test_roofline_json_matches_engine(capsys):
    cli = run_json(capsys, "roofline", "--model", "ResNet50", "--hardware", "A100", "--batch-size", "32")
    same(cli, Engine.solve(Models.ResNet50, Hardware.A100, batch_size=32).raw())


def test_serve_json_matches_serving_model(capsys):
    cli = run_json(capsys, "serve", "--model", "Llama3_70B", "--hardware", "H100", "--seq-len", "4096",
                   "--tp", "4", "--batch-size", "2")
    api = ServingModel().solve(Models.Llama3_70B, Hardware.H100, seq_len=4096, batch_size=2, tp_size=4)
    same(cli, api.raw())
    assert cli["itl"] == pytest.approx(api.itl.m_as("s"))   # SI base unit: seconds, not ms


def test_train_json_matches_distributed_model(capsys):
    cli = run_json(capsys, "train", "--model", "Llama3_70B", "--fleet", "H100_64", "--batch-size", "256",
                   "--tp", "8", "--pp", "4", "--microbatches", "16")
    api = DistributedModel().solve(Models.Llama3_70B, Systems.Clusters.H100_64, batch_size=256, tp_size=8,
                                   pp_size=4, microbatch_count=16)
    same(cli, api.raw())
    assert cli["parallelism"] == {"dp": 2, "tp": 8, "pp": 4, "ep": 1}
    assert cli["bubble_fraction"] == pytest.approx(3 / 19)   # the engineers' page example


def test_search_json_matches_optimizer(capsys):
    cli = run_json(capsys, "search", "--model", "Llama3_8B", "--fleet", "H100_64", "--batch-size", "128",
                   "--top-k", "3")
    api = ParallelismOptimizer().solve(Models.Llama3_8B, Systems.Clusters.H100_64, 128, top_k=3).raw()
    api.pop("search_time"), cli.pop("search_time")   # wall-clock of the search itself
    same(cli, api)
    assert cli["best_config"] == api["best_config"] and len(cli["top_candidates"]) == 3


def test_tco_json_matches_economics_model(capsys):
    cli = run_json(capsys, "tco", "--fleet", "H100_256", "--days", "365", "--region", "Quebec")
    same(cli, EconomicsModel().solve(Systems.Clusters.H100_256, 365, datacenter="Quebec").raw())


def test_carbon_json_matches_the_worked_example(capsys):
    cli = run_json(capsys, "carbon", "--hardware", "H100", "--count", "64", "--days", "14",
                   "--region", "Poland", "--mfu", "0.5")
    api = SustainabilityModel().solve(Hardware.H100, 14, datacenter="Poland", mfu=0.5, n_accelerators=64)
    same(cli, api.raw())


def test_reliability_json_matches_reliability_model(capsys):
    cli = run_json(capsys, "reliability", "--hardware", "H100", "--count", "16384", "--hours", "720",
                   "--checkpoint-s", "180")
    api = ReliabilityModel().solve(Hardware.H100, 720, checkpoint_time_s=180, n_accelerators=16384)
    same(cli, api.raw())
    assert cli["fleet_mtbf"] == pytest.approx(api.fleet_mtbf.m_as("s"))


def test_model_from_a_config_json_path(capsys):
    path = ROOT / "tests" / "fixtures" / "hf" / "llama-3.1-8b.json"
    from mlsysim_core.zoo.hf import from_hf_config
    cli = run_json(capsys, "serve", "--model", str(path), "--hardware", "H100")
    same(cli, ServingModel().solve(from_hf_config(path), Hardware.H100).raw())


def test_zoo_list_and_show_with_sources(capsys):
    listing = run_json(capsys, "zoo", "list")
    assert set(listing["hardware"]) == set(Hardware.names())
    assert set(listing["models"]) == set(Models.names())
    shown = run_json(capsys, "zoo", "show", "H100_SXM")   # an alias
    assert shown["key"] == "H100" and shown["kind"] == "hardware"
    assert shown["fields"]["memory_bandwidth"] == pytest.approx(Hardware.H100.memory.bandwidth_bytes_s)
    assert shown["fields"]["peak_flops.fp16"] == pytest.approx(Hardware.H100.compute.peak_flop_s("fp16"))
    numeric = [f for f, v in shown["fields"].items() if isinstance(v, float)]
    assert numeric and all(f in shown["sources"] for f in numeric)
    code, out, _ = run(capsys, "zoo", "show", "Llama3_70B")
    assert code == 0 and "source:" in out and "arXiv:2407.21783" in out


def test_walls(capsys):
    try:
        from mlsysim_core import walls
    except ImportError:
        code, _, err = run(capsys, "walls")
        assert code == 2 and err.startswith("error: ") and "mlsysim_core.walls" in err
        return
    rows = run_json(capsys, "walls")["walls"]
    assert [r["number"] for r in rows] == [w.number for w in walls.WALLS]
    assert [r["name"] for r in rows] == [w.name for w in walls.WALLS]
    first = walls.WALLS[0]
    one = run_json(capsys, "walls", str(first.number))
    assert one["name"] == first.name
    example = first.example()
    if hasattr(example, "raw"):
        same(one["example"], example.raw())
    code, out, _ = run(capsys, "walls", str(first.number))
    assert code == 0 and first.name in out and "$" not in out.replace("\\$", "")


# ---------------------------------------------------------------- human output

def test_human_output_has_no_latex_or_html(capsys):
    for argv in (["serve", "--model", "Llama3_70B", "--hardware", "H100"],
                 ["train", "--model", "Llama3_70B", "--fleet", "H100_64", "--batch-size", "256", "--tp", "8",
                  "--pp", "4", "--microbatches", "16"],
                 ["tco", "--fleet", "H100_8"], ["reliability", "--fleet", "H100_256"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        for bad in ("\\frac", "\\text", "\\times", "&nbsp;", "**", "\\left", "{", "}"):
            assert bad not in out.split("\n  best_config")[0], (argv, bad)
    assert "42.6 ms" in run(capsys, "serve", "--model", "Llama3_70B", "--hardware", "H100",
                            "--seq-len", "4096")[1]


def test_terminal_math():
    assert terminal_math("\\frac{a + b}{c}") == "(a + b) / c"
    assert terminal_math("2(N-1)\\alpha + \\frac{2(N-1)}{N}\\frac{M}{\\beta}") == \
        "2(N-1)α + (2(N-1)) / N · M / β"
    assert terminal_math("P = 1 - e^{-T/M}") == "P = 1 - e^(-T/M)"
    assert terminal_math("\\tau_{opt} = \\sqrt{2 \\delta M}") == "τ_opt = √(2 δ M)"
    assert render("**KV**: $x \\times y$  \n&nbsp;&nbsp;= \\$5") == "KV: x × y\n  = $5"


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("argv, names", [
    (["serve", "--model", "Llama3_70B", "--hardware", "H100", "--precision", "fp3"], "precision='fp3'"),
    (["serve", "--model", "Llama3_70B", "--hardware", "H100", "--tp", "0"], "tp_size=0"),
    (["serve", "--model", "NoSuchModel", "--hardware", "H100"], "'NoSuchModel'"),
    (["roofline", "--model", "ResNet50", "--hardware", "A100", "--efficiency", "1.5"], "efficiency=1.5"),
    (["train", "--model", "Llama3_70B", "--fleet", "H100_64", "--tp", "3"], "tp_size=3"),
    (["carbon", "--hardware", "H100", "--days", "-1"], "duration_days=-1"),
    (["tco", "--fleet", "H100_8", "--region", "Atlantis"], "datacenter='Atlantis'"),
    (["reliability", "--fleet", "H100_64", "--checkpoint-s", "0"], "checkpoint_time_s=0"),
    (["zoo", "show", "NoSuchThing"], "name='NoSuchThing'"),
    (["serve", "--model", "/nonexistent/config.json", "--hardware", "H100"], "config.json"),
    (["serve", "--model", "Llama3_70B", "--hardware", "H100", "--batch-size", "x"], "--batch-size"),
    (["serve", "--hardware", "H100"], "--model"),
])
def test_bad_input_is_one_line_and_exit_2(argv, names, capsys):
    try:
        code = main(argv)
    except SystemExit as e:   # argparse's own errors
        code = e.code
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert names in err
    assert out == ""


def test_library_message_is_passed_through(capsys):
    from mlsysim_core.errors import SpecError
    with pytest.raises(SpecError) as e:
        ServingModel().solve(Models.Llama3_70B, Hardware.H100, precision="fp3")
    code, _, err = run(capsys, "serve", "--model", "Llama3_70B", "--hardware", "H100", "--precision", "fp3")
    assert code == 2 and err == f"error: {e.value}\n"


# ---------------------------------------------------------------- entry points

def test_python_dash_m_and_console_script():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "mlsysim_core", "serve", "--model", "Llama3_8B",
                        "--hardware", "H100", "--json"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["itl"] > 0
    bad = subprocess.run([sys.executable, "-m", "mlsysim_core", "serve", "--model", "Llama3_8B",
                          "--hardware", "H100", "--seq-len", "0"], capture_output=True, text=True,
                         env=env, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("error: seq_len=0") and "Traceback" not in bad.stderr
    script = Path(sys.executable).with_name("mlsysim-core")
    if script.exists():
        p = subprocess.run([str(script), "zoo", "list", "clusters", "--json"], capture_output=True, text=True)
        assert p.returncode == 0 and "H100_64" in json.loads(p.stdout)["clusters"]


def test_cli_stays_off_heavy_imports():
    code = ("import sys; from mlsysim_core.cli import main; main(['serve', '--model', 'Llama3_8B', "
            "'--hardware', 'H100', '--json']); "
            "print([m for m in ('altair', 'marimo', 'mlsysim_core.plots', 'mlsysim_core.scenarios') "
            "if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[]"

