"""``airmodel report``: one self-contained HTML page that opens offline in a browser with all its images.

The run files are the synthetic ones of tests/unit/test_plot.py (the names of the run-file contract); the
comparison folder is built here with the names of ``airmodel compare``'s output, the evaluation folder with a
statistics.csv and a PNG. The browser test opens the page in headless Chromium (Debian's ``chromium``, which
.ci/run installs) and counts the images that decoded.
"""
import base64
import io
import re
import shutil
import subprocess

import matplotlib.image
import pytest
import xarray as xr

from airmodel import plot as maps
from airmodel.cli import main
from tests.unit.test_plot import write_run_file

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                None)
COMPARED = ("PM25", "O3", "NO2", "SO2", "CO", "PM10", "O3_mda8", "AQI")
SUMMARY_MD = """# Scenario comparison: synthetic case vs synthetic base

PM2.5 falls over Beijing; the text has <script>alert(1)</script> & other markup that must stay text.

## Population-weighted PM2.5

| region | base | case | change |
|---|---|---|---|
| Beijing | 61.2345 | 42.8 | -30.0% |
| Hebei | 30.1 | 21.1 | -29.9% |

- days over Grade II PM2.5: **3** fewer
- `exceedances.csv` has the details
"""


def write_compare_dir(folder, base_path, case_path, leave_out=()):
    """A folder with the names ``airmodel compare`` writes (fields.nc, the four CSVs, summary.md)."""
    folder.mkdir()
    with xr.open_dataset(base_path) as base, xr.open_dataset(case_path) as case:
        fields = xr.Dataset(coords={c: base[c] for c in ("lon", "lat")})
        fields["lon_bnds"], fields["lat_bnds"] = base["lon_bnds"], base["lat_bnds"]
        for m in COMPARED:
            b, c = maps.period_mean(base[m]), maps.period_mean(case[m])
            attrs = {"units": base[m].attrs.get("units", "")}
            fields[f"{m}_base"] = (("lat", "lon"), b, attrs)
            fields[f"{m}_case"] = (("lat", "lon"), c, attrs)
            fields[f"{m}_diff"] = (("lat", "lon"), c - b, attrs)
            fields[f"{m}_pct"] = (("lat", "lon"), 100 * (c - b) / b, {"units": "%"})
    fields.attrs.update(base_title="synthetic base", case_title="synthetic case")
    files = {
        "fields.nc": None,
        "stations.csv": "code,name,PM25_base,PM25_case\n1001A,Wanshouxigong,95.123456,66.5\n",
        "regions.csv": "region,weighting,PM25_base,PM25_case\nBeijing,population,61.2345,42.8\n",
        "aqi_categories.csv": "category,base_days,case_days\nexcellent,0,1\ngood,1,1\n",
        "exceedances.csv": "pollutant,averaging,base_days,case_days\nPM25,24h,3,0\n",
        "summary.md": SUMMARY_MD,
    }
    for name, text in files.items():
        if name in leave_out:
            continue
        if name == "fields.nc":
            fields.to_netcdf(folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_evaluation_dir(folder):
    folder.mkdir()
    (folder / "statistics.csv").write_text("station,variable,n,mean_bias,rmse,r\n1003A,PM25,48,-12.3456,20.5,0.71\n")
    plt = maps.pyplot()
    fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
    ax.plot([0, 1, 2], [1, 3, 2], color="tab:blue", lw=3)
    fig.savefig(folder / "scatter_PM25.png")
    plt.close(fig)
    (folder / "broken.png").write_bytes(b"not a png")
    (folder / "summary.md").write_text("# Evaluation\n\nRatings: *goal* met.\n\n![scatter](scatter_PM25.png)\n\n"
                                       "![outside](../secret.png)\n", encoding="utf-8")
    (folder / "pairs_hourly.csv").write_text("hour,observed,model\n" + "".join(f"{h},{h * 1.5},{h}\n"
                                                                             for h in range(100)))
    return folder


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    base = write_run_file(root / "base.nc")
    case = write_run_file(root / "case.nc", pm_scale=0.7, o3_offset=4.0, title="synthetic case")
    return {"root": root, "base": base, "case": case,
            "compare": write_compare_dir(root / "cmp", base, case),
            "evaluation": write_evaluation_dir(root / "eval")}


#: A real run, as short as gives one whole Beijing day (so that the daily fields are valid): demo.toml on a
#: 0.5-degree grid with 5 layers, 24 hours from local midnight (about 10 s once Numba's cache is warm).
REAL_RUN = ["--set", "run.hours=24", "--set", 'run.start="2008-08-07T16:00:00Z"', "--set", "domain.resolution=0.5",
            "--set", "domain.layer_interfaces=[0.0, 50.0, 150.0, 400.0, 1000.0, 3000.0]",
            "--set", "run.time_step=1200.0", "--no-progress"]


@pytest.fixture(scope="module")
def real_report(tmp_path_factory, scenarios):
    """The report of a real short run, a case derived from it (its PM scaled by 0.7: the report only draws what
    it is given, so a derived case is enough), the folder of `airmodel compare` for the two and an evaluation
    folder."""
    root = tmp_path_factory.mktemp("real")
    base = root / "base.nc"
    assert main(["-q", "run", str(scenarios / "demo.toml"), "-o", str(base), *REAL_RUN]) == 0
    case = root / "case.nc"
    with xr.open_dataset(base) as ds:
        ds = ds.load()
    for name in [v for v in ds.data_vars if v.replace("station_", "").startswith(("PM25", "PM10"))]:
        ds[name] = ds[name] * 0.7
    ds.attrs["title"] = "demo, PM x 0.7"
    ds.to_netcdf(case)
    assert main(["-q", "compare", str(base), str(case), "-o", str(root / "cmp")]) == 0
    out = root / "report.html"
    assert main(["report", str(base), str(case), "--compare", str(root / "cmp"),
                 "--evaluation", str(write_evaluation_dir(root / "eval")), "-o", str(out)]) == 0
    return out


def test_real_run_report(real_report):
    text = real_report.read_text(encoding="utf-8")
    assert len(images(text)) == 13 == text.count("<img")
    assert "<title>airmodel demo</title>" in text
    assert "Demo: greater Beijing, 8 August 2008" in text  # the scenario description, from the file
    assert "2008-08-07 16:00 to 2008-08-08 16:00 UTC (24 h" in text
    assert "12 × 11 cells of 0.5°" in text
    assert "<td>1003A</td><td>Dongsi</td>" in text  # station codes of the run file's station_code
    assert 'class="note"' not in text.split('id="evaluation"')[0]  # nothing of the runs or comparison is missing
    compared = text.split('id="compare"')[1].split('id="evaluation"')[0]
    for name in ("stations.csv", "regions.csv", "aqi_categories.csv", "exceedances.csv"):
        assert f"<h3>{name}</h3>" in compared
    assert "base: base.nc)" in compared  # the captions name the runs that fields.nc names


@pytest.fixture(scope="module")
def full_report(inputs):
    out = inputs["root"] / "report.html"
    code = main(["report", str(inputs["base"]), str(inputs["case"]), "--compare", str(inputs["compare"]),
                 "--evaluation", str(inputs["evaluation"]), "-o", str(out), "--title", "Olympic <test> report"])
    assert code == 0
    return out


def images(text):
    return re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)


def test_report_is_self_contained_with_all_pieces(full_report):
    text = full_report.read_text(encoding="utf-8")
    # 2 runs x (3 maps + 2 station series) + 2 difference maps + 1 evaluation PNG.
    found = images(text)
    assert len(found) == 13 == text.count("<img")
    for data in found:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG")
        # Each embedded picture is a drawn figure: a sizeable image with a spread of colours, not a blank canvas.
        img = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
        assert min(img.shape[:2]) >= 100 and float(img.std()) > 0.03
    # Nothing to fetch: no external sources, links to other files, scripts or fonts.
    assert not re.search(r'(src|href)="(?!data:|#)', text)
    assert "<script" not in text and "@import" not in text and "url(" not in text
    # Header: scenario name and description, period, grid, code version; escaped text.
    assert "<title>Olympic &lt;test&gt; report</title>" in text
    assert "Synthetic &lt;b&gt;test&lt;/b&gt; &amp; synthetic base" in text
    assert "2008-08-07 16:00 to 2008-08-09 16:00 UTC (48 h" in text
    assert "24 \u00d7 22 cells of 0.25\u00b0" in text
    assert "airmodel 0.1.0" in text
    # Station table and the comparison/evaluation tables and markdown.
    assert "<td>1001A</td><td>Wanshouxigong</td>" in text  # codes of the 'station' coordinate
    assert "days 24-h PM2.5 &gt; 75 ug m-3 (Grade II)" in text
    for name in ("stations.csv", "regions.csv", "aqi_categories.csv", "exceedances.csv", "statistics.csv"):
        assert f"<h3>{name}</h3>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<h4>Population-weighted PM2.5</h4>" in text
    assert '<td class="num">61.23</td>' in text  # the Markdown pipe table, numbers rounded for display
    assert "<strong>3</strong>" in text and "<code>exceedances.csv</code>" in text
    assert "broken.png is not a readable PNG image; left out." in text
    # The evaluation summary's image line shows the PNG in place (and only there); long tables are folded.
    summary = text.split('id="evaluation"')[1]
    assert summary.index("<em>goal</em>") < summary.index("<img") < summary.index("<h3>statistics.csv</h3>")
    assert "<details><summary>pairs_hourly.csv: 100 rows</summary>" in summary
    assert "../secret.png" in summary  # a name outside the folder stays text
    assert not list(full_report.parent.glob("*.part"))


def test_report_refuses_to_overwrite_without_force(full_report, inputs, capsys):
    before = full_report.read_bytes()
    code = main(["report", str(inputs["base"]), "-o", str(full_report)])
    err = capsys.readouterr().err
    assert code == 2 and "the output exists; use --force to overwrite it" in err
    assert full_report.read_bytes() == before


def test_missing_optional_pieces_are_notes(tmp_path, inputs, capsys):
    bare = write_run_file(tmp_path / "bare.nc", hours=6, stations=False, daily_fields=False, title="bare")
    compare = write_compare_dir(tmp_path / "cmp", inputs["base"], inputs["case"],
                                leave_out=("fields.nc", "regions.csv", "summary.md"))
    out = tmp_path / "r.html"
    assert main(["report", str(bare), "--compare", str(compare), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "This run file has no O3_mda8" in text and "This run file has no AQI" in text
    assert "no station series" in text
    assert "The folder has no fields.nc" in text and "The folder has no regions.csv" in text
    assert "The folder has no summary.md" in text
    assert len(images(text)) == 1  # the PM2.5 map only
    # --force overwrites.
    assert main(["report", str(bare), "-o", str(out), "--force", "--title", "again"]) == 0
    assert "<title>again</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("make_args, message", [
    (lambda t, i: [str(t / "nope.nc"), "-o", str(t / "r.html")], "nope.nc: run file not found"),
    (lambda t, i: [str(i["compare"] / "summary.md"), "-o", str(t / "r.html")], "summary.md: not a readable NetCDF"),
    (lambda t, i: [str(i["base"]), "--compare", str(t / "nodir"), "-o", str(t / "r.html")],
     "--compare " + "{t}/nodir: folder not found"),
    (lambda t, i: [str(i["base"]), "--evaluation", str(t / "nodir"), "-o", str(t / "r.html")],
     "--evaluation {t}/nodir: folder not found"),
    (lambda t, i: [str(i["base"]), "-o", str(t / "r.pdf")], "give an output name ending in .html"),
    (lambda t, i: [str(i["base"]), "-o", str(t / "sub" / "r.html")], "does not exist"),
])
def test_bad_input_exit_2_nothing_written(tmp_path, inputs, capsys, make_args, message):
    code = main(["report", *make_args(tmp_path, inputs)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message.format(t=tmp_path) in err and "Traceback" not in err, err
    assert not list(tmp_path.glob("r.*"))


INSTRUMENT = """<script>
window.addEventListener("load", function () {
  var all = Array.from(document.images);
  var good = all.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var p = document.createElement("p");
  p.id = "image-check";
  p.textContent = "decoded " + good.length + " of " + all.length;
  document.body.appendChild(p);
});
</script>
"""


def chromium(args, tmp_path, timeout=120):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (.ci/run installs Debian's chromium; "
                                             "apt-get install chromium to run this test)")
def test_report_renders_in_headless_chromium(real_report, tmp_path):
    """The page of a real run opens offline and every image decodes; a screenshot shows the coloured maps."""
    text = real_report.read_text(encoding="utf-8")
    n_images = text.count("<img")
    probe = tmp_path / "probe.html"
    # The probe script goes into a copy: the report itself carries no script.
    probe.write_text(text.replace("</body>", INSTRUMENT + "</body>"), encoding="utf-8")
    dom = chromium(["--virtual-time-budget=5000", "--dump-dom", probe.as_uri()], tmp_path)
    found = re.search(r'id="image-check">decoded (\d+) of (\d+)<', dom.stdout)
    assert found, f"no image count in Chromium's DOM: {dom.stderr[-2000:]}"
    assert (int(found.group(1)), int(found.group(2))) == (n_images, n_images) == (13, 13)

    shot = tmp_path / "shot.png"
    chromium(["--hide-scrollbars", "--window-size=1280,1800", f"--screenshot={shot}", real_report.as_uri()],
             tmp_path)
    assert shot.exists(), "Chromium wrote no screenshot"
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert float(img.std()) > 0.05, "the screenshot is blank"
    # The first maps (PM2.5, orange to dark red) are in view: many strongly coloured pixels.
    saturated = (img.max(axis=2) - img.min(axis=2)) > 0.4
    assert saturated.sum() > 5000, f"only {saturated.sum()} coloured pixels in the screenshot"


def write_ranking_dir(folder):
    """A folder with the names and columns `airmodel rank` writes: ranking.csv and its chart (rank's own writers),
    contributions.csv and ranking.md."""
    from airmodel.files import write_csv_atomic
    from airmodel.rank import RANKING_COLUMNS, plot_ranking

    folder.mkdir()
    rows = []
    for n, (category, value) in enumerate((("Hebei_industry", 6.5), ("Beijing_residential", 3.25)), start=1):
        row = {c: "" for c in RANKING_COLUMNS}
        row.update(rank=n, category=category, metric="pw_PM25", units="ug m-3", contribution=value,
                   exposure_gain_per_million_yuan=value / 10.0)
        rows.append(row)
    write_csv_atomic(folder / "ranking.csv", rows, RANKING_COLUMNS)
    plot_ranking(rows, folder / "ranking.png")
    (folder / "contributions.csv").write_text("metric,category,contribution\npw_PM25,Hebei_industry,6.5\n")
    (folder / "ranking.md").write_text("# Ranking of source categories: test\n\nHebei_industry first.\n")
    return folder


def test_report_shows_the_ranking(inputs, tmp_path):
    ranking = write_ranking_dir(tmp_path / "rank")
    out = tmp_path / "report.html"
    assert main(["report", str(inputs["base"]), "--ranking", str(ranking), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    section = text[text.index('<section id="ranking">'):]
    section = section[:section.index("</section>")]
    assert '<a href="#ranking">' in text
    assert "Hebei_industry" in section and "Beijing_residential" in section and "contributions.csv" in section
    assert section.index("ranking.csv") < section.index("contributions.csv")
    assert len(images(section)) == 1  # the chart, inline
    assert main(["report", str(inputs["base"]), "--ranking", str(tmp_path / "nowhere"), "-o",
                 str(tmp_path / "r2.html")]) == 2 and not (tmp_path / "r2.html").exists()
