"""The zoo loader and registries (DESIGN 6): sourced numbers only, strict schema, clear messages.

``mlsysim_core.zoo.loader.parse(kind, text, filename)`` is fed small TOML strings; every
rejection must name the file, the entry and the field. Registry behaviour: flat and tiered
attribute access, iteration, options() for dropdowns, and unknown names with suggestions.
(Coverage of the shipped data is tests/test_zoo_content.py.)
"""
from __future__ import annotations

import pytest

from mlsysim_core import Hardware, Infra, Models, Systems, ZooError
from mlsysim_core.specs import Fleet, GridProfile, HardwareNode, Workload
from mlsysim_core.zoo import build
from mlsysim_core.zoo.loader import SCHEMAS, parse

SOURCES = '''
[sources]
ds = "Example datasheet (2024), https://example.com/ds"
paper = "Someone et al. (2023), table 1"
'''

HW = SOURCES + '''
[Chip]
name = "Example Chip"
tier = "Cloud"
peak_flops.fp16 = [989, "TFLOP/s", "ds"]
peak_flops.int8 = [1979, "TOPS", "ds"]
memory_capacity = [80, "GiB", "ds"]
memory_bandwidth = [3.35, "TB/s", "ds"]
tdp = [700, "W", "ds"]
dispatch_tax = [10, "us", "paper"]
'''

GRID = SOURCES + '''
[Somewhere]
name = "Somewhere"
carbon_intensity = [20, "g/kWh", "paper"]
pue = [1.1, "1", "paper"]
wue = [0.5, "L/kWh", "paper"]
'''


def reject(kind, text, *parts, filename="test.toml"):
    with pytest.raises(ZooError) as info:
        parse(kind, text, filename)
    msg = str(info.value)
    assert filename in msg, msg
    for part in parts:
        assert part in msg, f"{part!r} not in {msg!r}"
    assert isinstance(info.value, ValueError)
    return msg


# ----------------------------------------------------------------------------- accepted input

def test_valid_hardware_entry_is_parsed_into_canonical_units():
    raw = parse("hardware", HW, "hw.toml")["Chip"]
    assert raw.key == "Chip" and raw["name"] == "Example Chip"
    assert raw["peak_flops"] == {"fp16": 989e12, "int8": 1979e12}
    assert raw["memory_capacity"] == 80 * 2**30
    assert raw["memory_bandwidth"] == pytest.approx(3.35e12)
    assert raw["dispatch_tax"] == pytest.approx(10e-6)
    assert raw.sources["memory_bandwidth"].startswith("Example datasheet")
    assert raw.sources["peak_flops.int8"].startswith("Example datasheet")
    assert raw.sources["dispatch_tax"] == "Someone et al. (2023), table 1"


def test_valid_entry_builds_a_spec():
    hw = build.hardware(parse("hardware", HW, "hw.toml")["Chip"])
    assert isinstance(hw, HardwareNode)
    assert hw.compute.peak_flop_s("fp16") == 989e12
    assert hw.ridge_point().magnitude == pytest.approx(989 / 3.35)
    assert hw.source("tdp").startswith("Example datasheet")
    g = build.grid(parse("grids", GRID, "grids.toml")["Somewhere"])
    assert isinstance(g, GridProfile) and g.carbon_intensity_g_kwh == 20 and g.pue == 1.1


def test_percent_and_binary_units():
    raw = parse("grids", GRID.replace('name = "Somewhere"', 'name = "S"\nrenewable_share = [99, "%", "paper"]'),
                "g.toml")["Somewhere"]
    assert raw["renewable_share"] == pytest.approx(0.99)


# ----------------------------------------------------------------------------- rejected input

@pytest.mark.parametrize("value", ['700', '[700, "W"]', '[700]', '["700", "W", "ds"]', '[true, "W", "ds"]',
                                   '[700, "W", "ds", "extra"]'])
def test_unsourced_or_malformed_number_is_rejected(value):
    reject("hardware", HW.replace('tdp = [700, "W", "ds"]', f"tdp = {value}"),
           "[Chip]", "tdp", "[value, unit, source id]")


def test_unknown_source_id_is_rejected():
    reject("hardware", HW.replace('tdp = [700, "W", "ds"]', 'tdp = [700, "W", "vendor-blog"]'),
           "[Chip]", "tdp", "'vendor-blog'", "[sources]")


def test_unknown_source_in_a_precision_table_is_rejected():
    reject("hardware", HW.replace('[1979, "TOPS", "ds"]', '[1979, "TOPS", "nope"]'),
           "[Chip]", "peak_flops.int8", "'nope'")


def test_missing_sources_table_is_rejected():
    reject("hardware", HW.replace(SOURCES, ""), "[sources]")


def test_unknown_field_is_rejected():
    msg = reject("hardware", HW + 'clock_speed = [1.98, "GHz", "ds"]\n', "[Chip]", "clock_speed", "allowed")
    assert "memory_bandwidth" in msg                       # the message lists what is allowed


@pytest.mark.parametrize("field", ["memory_bandwidth", "tdp", "name", "dispatch_tax"])
def test_missing_required_field_is_rejected(field):
    text = "\n".join(line for line in HW.splitlines() if not line.startswith(f"{field} ="))
    reject("hardware", text, "[Chip]", "missing", field)


def test_missing_required_grid_field_is_rejected():
    text = "\n".join(line for line in GRID.splitlines() if not line.startswith("pue ="))
    reject("grids", text, "[Somewhere]", "missing", "pue")


@pytest.mark.parametrize("unit", ["TB/sec", "terabytes", "TFLOP/s", "W", ""])
def test_unknown_or_wrong_dimension_unit_is_rejected(unit):
    msg = reject("hardware", HW.replace('[3.35, "TB/s", "ds"]', f'[3.35, "{unit}", "ds"]'),
                 "[Chip]", "memory_bandwidth", repr(unit))
    assert "TB/s" in msg                                   # names the allowed units


@pytest.mark.parametrize("value", ["-700", "-0.5", "nan", "inf"])
def test_negative_or_non_finite_number_is_rejected(value):
    reject("hardware", HW.replace('[700, "W", "ds"]', f'[{value}, "W", "ds"]'), "[Chip]", "tdp", ">= 0")


def test_string_field_must_be_a_string():
    reject("hardware", HW.replace('tier = "Cloud"', "tier = 3"), "[Chip]", "tier", "string")


def test_entry_must_be_a_table():
    reject("grids", 'Somewhere = "oops"\n' + SOURCES, "[Somewhere]", "table")


def test_invalid_toml_is_rejected():
    reject("grids", SOURCES + "[Somewhere\n", "not valid TOML")


def test_unknown_precision_in_peak_flops_is_rejected_by_the_builder():
    raw = parse("hardware", HW.replace("peak_flops.int8", "peak_flops.fp64"), "hw.toml")["Chip"]
    with pytest.raises(ZooError) as e:
        build.hardware(raw)
    assert "[Chip]" in str(e.value) and "peak_flops" in str(e.value) and "fp64" in str(e.value)


def test_every_schema_requires_a_name():
    for kind, schema in SCHEMAS.items():
        assert schema["name"] == ("str", True), kind


# ----------------------------------------------------------------------------- registries

def test_flat_and_tiered_access_are_the_same_object():
    assert Hardware.H100 is Hardware.Cloud.H100
    assert Hardware.A100 is Hardware.Cloud.A100
    assert Models.Llama3_8B is Models.Language.Llama3_8B
    assert Models.Llama3_70B is Models.Language.Llama3_70B
    assert Models.ResNet50 is Models.Vision.ResNet50
    assert Infra.Quebec is Infra.Grids.Quebec
    assert Systems.Clusters.Research_256 is Systems.Research_256


def test_aliases_resolve_to_the_entry():
    assert Hardware.H100_SXM is Hardware.H100
    assert Models.Llama3_1_70B is Models.Llama3_70B


def test_registries_iterate_over_specs_with_names():
    hw = list(Hardware)
    assert len(hw) == len(Hardware) and len(hw) >= 2
    assert all(isinstance(h, HardwareNode) and h.name for h in hw)
    assert all(isinstance(m, Workload) and m.name for m in Models)
    assert all(isinstance(g, GridProfile) for g in Infra.Grids)
    assert all(isinstance(f, Fleet) for f in Systems.Clusters)
    assert Hardware.H100 in list(Hardware.Cloud)
    assert set(Hardware.Cloud) <= set(Hardware)             # specs are hashable
    assert {h: h.name for h in Hardware}[Hardware.H100] == Hardware.H100.name
    assert "H100" in Hardware and Hardware.H100 in Hardware and "NoSuchChip" not in Hardware


def test_groups_are_listed_and_partition_the_entries():
    groups = Hardware.groups()
    assert "Cloud" in groups
    members = [h for g in groups for h in getattr(Hardware, g)]
    assert sorted(h.key for h in members) == sorted(Hardware.names())
    assert {"Language", "Vision"} <= set(Models.groups())
    assert {"Grids", "Datacenters"} <= set(Infra.groups())
    assert {"Clusters", "Nodes", "Fabrics"} <= set(Systems.groups())


def test_options_map_display_names_to_specs_for_dropdowns():
    opts = Hardware.options()
    assert list(opts) == [h.name for h in Hardware]
    assert opts[Hardware.H100.name] is Hardware.H100
    assert Models.Language.options()[Models.Llama3_8B.name] is Models.Llama3_8B


def test_get_by_key_alias_or_display_name():
    assert Hardware.get("H100") is Hardware.H100
    assert Hardware["H100_SXM"] is Hardware.H100
    assert Hardware.get(Hardware.H100.name) is Hardware.H100


def test_unknown_name_raises_attribute_error_with_suggestions():
    with pytest.raises(AttributeError) as e:
        Hardware.H10
    msg = str(e.value)
    assert "'H10'" in msg and "did you mean" in msg and "H100" in msg
    with pytest.raises(AttributeError) as e:
        Models.Llama3_8b
    assert "Llama3_8B" in str(e.value)
    with pytest.raises(AttributeError) as e:
        Hardware.Cloud.Jetson
    assert "Hardware.Cloud" in str(e.value)


def test_unknown_name_via_get_is_a_spec_error():
    from mlsysim_core import SpecError
    with pytest.raises(SpecError) as e:
        Hardware.get("H1000")
    assert "'H1000'" in str(e.value) and "H100" in str(e.value)


def test_dir_lists_entries_for_tab_completion():
    assert {"H100", "A100", "Cloud"} <= set(dir(Hardware))


# ---------------------------------------------------------------- parsed copies (the site's wheel)
def test_parsed_copies_cover_every_data_file_and_equal_tomllib():
    import json
    import tomllib
    from importlib import resources

    from mlsysim_core.zoo import loader
    copies = json.loads(loader.parsed_copies())
    data = resources.files("mlsysim_core.zoo").joinpath("data")
    files = sorted(f.name for f in data.iterdir() if f.name.endswith(".toml"))
    assert sorted(copies) == files
    for name, (key, doc) in copies.items():
        text = data.joinpath(name).read_text(encoding="utf-8")
        assert key == loader._text_key(text) and json.loads(doc) == tomllib.loads(text), name


def test_parsed_copy_is_used_only_for_the_text_it_was_made_from(monkeypatch):
    import json

    from mlsysim_core.zoo import loader
    text = 'a = [1, "W", "ds"]\n'
    monkeypatch.setattr(loader, "_parsed", {"x.toml": [loader._text_key(text), json.dumps({"a": "from the copy"})]})
    first = loader.toml_doc(text, "x.toml")
    assert first == {"a": "from the copy"}
    first["a"] = "changed by a caller"  # parse() pops [sources]: each call gets its own document
    assert loader.toml_doc(text, "x.toml") == {"a": "from the copy"}
    assert loader.toml_doc('a = 2\n', "x.toml") == {"a": 2}  # edited text: parsed afresh
    with pytest.raises(ZooError, match=r"x\.toml: not valid TOML"):
        loader.toml_doc("a = = 2", "x.toml")


def test_zoo_loaded_from_parsed_copies_equals_zoo_parsed_from_toml(monkeypatch):
    import json

    from mlsysim_core.zoo import loader
    kinds = sorted(SCHEMAS)

    def loaded(kind):  # Raw compares as a dict: compare its key and sources too
        return {key: (raw.key, dict(raw), raw.sources) for key, raw in loader.load(kind).items()}
    monkeypatch.setattr(loader, "_parsed", {})
    from_toml = {k: loaded(k) for k in kinds}
    constants_toml = [loader.parse_constants(loader.read(n), n) for n in loader.constant_files()]
    monkeypatch.setattr(loader, "_parsed", json.loads(loader.parsed_copies()))
    assert {k: loaded(k) for k in kinds} == from_toml
    assert [loader.parse_constants(loader.read(n), n) for n in loader.constant_files()] == constants_toml
