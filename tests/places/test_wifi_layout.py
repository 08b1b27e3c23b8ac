"""Seoul's public WiFi file: read by column name in any of its encodings, problems reported per
row with their line, and a file that swaps LAT and LNT recognised."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hamkke.places.wifi_layout import (
    Bounds,
    WifiRow,
    detect_swap,
    install_type_parts,
    read_wifi_csv,
    swapped,
)

COLUMNS = (
    "X_SWIFI_MGR_NO",
    "X_SWIFI_WRDOFC",
    "X_SWIFI_MAIN_NM",
    "X_SWIFI_ADRES1",
    "X_SWIFI_ADRES2",
    "X_SWIFI_INSTL_FLOOR",
    "X_SWIFI_INSTL_TY",
    "X_SWIFI_INSTL_MBY",
    "X_SWIFI_SVC_SE",
    "X_SWIFI_CMCWR",
    "X_SWIFI_CNSTC_YEAR",
    "X_SWIFI_INOUT_DOOR",
    "X_SWIFI_REMARS3",
    "LAT",
    "LNT",
    "WORK_DTTM",
)
HEADER = ",".join(COLUMNS)
# Seoul's rough extent (south, west, north, east).
SEOUL = Bounds(south=37.41, west=126.76, north=37.72, east=127.19)


def row(**values: str) -> str:
    base = {
        "X_SWIFI_MGR_NO": "ARI00001",
        "X_SWIFI_WRDOFC": "종로구",
        "X_SWIFI_MAIN_NM": "광화문광장",
        "X_SWIFI_ADRES1": "세종대로 172",
        "X_SWIFI_ADRES2": "광장 북측",
        "X_SWIFI_INSTL_FLOOR": "1층",
        "X_SWIFI_INSTL_TY": "7-1. 공원(하천)",
        "X_SWIFI_INSTL_MBY": "서울시(AP)",
        "X_SWIFI_SVC_SE": "공공WiFi",
        "X_SWIFI_CMCWR": "자가망",
        "X_SWIFI_CNSTC_YEAR": "2019",
        "X_SWIFI_INOUT_DOOR": "실외",
        "X_SWIFI_REMARS3": "",
        "LAT": "37.5725",
        "LNT": "126.9769",
        "WORK_DTTM": "2024-01-02 10:00:00.0",
    }
    base.update(values)
    return ",".join(base[column] for column in COLUMNS)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


TWO = csv_text(
    row(),
    row(
        X_SWIFI_MGR_NO="WF-JN-0002",
        X_SWIFI_MAIN_NM="종로구립도서관",
        X_SWIFI_INSTL_TY="8. 도서관",
        X_SWIFI_INSTL_MBY="구청",
        X_SWIFI_CMCWR="KT",
        X_SWIFI_INOUT_DOOR="실내",
        X_SWIFI_CNSTC_YEAR="2016",
        LAT="37.5790",
        LNT="126.9690",
    ),
)


def test_a_file_read_field_by_field():
    rows, problems = read_wifi_csv(TWO.encode("utf-8"))
    assert problems == []
    first = WifiRow(
        line=2,
        manager_no="ARI00001",
        district_name="종로구",
        name="광화문광장",
        address="세종대로 172",
        install_type="7-1. 공원(하천)",
        install_type_code="7-1",
        installer="서울시(AP)",
        network="자가망",
        install_year=2019,
        indoor=False,
        latitude=37.5725,
        longitude=126.9769,
        install_type_label="공원(하천)",
        address_detail="광장 북측",
        floor="1층",
        service="공공WiFi",
        remarks="",
    )
    second = replace(
        first,
        line=3,
        manager_no="WF-JN-0002",
        name="종로구립도서관",
        install_type="8. 도서관",
        install_type_code="8",
        install_type_label="도서관",
        installer="구청",
        network="KT",
        install_year=2016,
        indoor=True,
        latitude=37.579,
        longitude=126.969,
    )
    assert rows == [first, second]


def test_a_header_only_file_has_no_rows_and_no_problems():
    assert read_wifi_csv((HEADER + "\n").encode("utf-8")) == ([], [])
    assert read_wifi_csv(HEADER.encode("utf-8")) == ([], [])


def test_an_empty_file_is_one_problem():
    assert [(p.line, p.field) for p in read_wifi_csv(b"")[1]] == [(1, "file")]


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + TWO.encode("utf-8"),  # UTF-8 with a byte-order mark
        TWO.encode("cp949"),
        TWO.encode("euc-kr"),
        TWO.encode("utf-16"),  # with its byte-order mark
    ],
    ids=["utf-8-bom", "cp949", "euc-kr", "utf-16"],
)
def test_every_encoding_reads_the_same(data):
    expected, _problems = read_wifi_csv(TWO.encode("utf-8"))
    assert data != TWO.encode("utf-8")
    rows, problems = read_wifi_csv(data)
    assert problems == []
    assert rows == expected
    assert rows[0].district_name == "종로구"  # the Korean decoded, not mojibake


def test_cp949_beyond_euc_kr_reads():
    # 똠 is in CP949 but not in EUC-KR's 2,350 syllables.
    rows, problems = read_wifi_csv(csv_text(row(X_SWIFI_MAIN_NM="똠방각하 카페")).encode("cp949"))
    assert problems == []
    assert rows[0].name == "똠방각하 카페"


def test_bytes_of_no_known_encoding_are_one_problem():
    rows, problems = read_wifi_csv(HEADER.encode() + b"\n\xff\xff\xff\xfe\x80\n")
    assert rows == []
    assert [(p.line, p.field) for p in problems] == [(1, "file")]
    assert "UTF-8" in problems[0].message


def test_missing_required_columns_are_one_problem_on_line_1():
    header = ",".join(c for c in COLUMNS if c not in ("LAT", "LNT"))
    line = ",".join(["x"] * (len(COLUMNS) - 2))
    rows, problems = read_wifi_csv(csv_text(line, header=header).encode())
    assert rows == []
    [problem] = problems
    assert (problem.line, problem.field) == (1, "header")
    assert "LAT" in problem.message and "LNT" in problem.message


def test_optional_columns_may_be_missing():
    kept = [c for c in COLUMNS if c not in ("X_SWIFI_ADRES2", "X_SWIFI_REMARS3", "WORK_DTTM")]
    values = ["M1", "중구", "시청", "세종대로 110", "1층", "1. 주요거리", "서울시", "공공"]
    values += ["SKT", "2020", "실외", "37.5663", "126.9779"]
    rows, problems = read_wifi_csv(csv_text(",".join(values), header=",".join(kept)).encode())
    assert problems == []
    assert rows[0].address_detail == ""
    assert rows[0].install_type_code == "1"
    assert rows[0].network == "SKT"


def test_columns_are_found_by_name_in_any_order_and_case():
    order = list(reversed(COLUMNS))
    header = ",".join(name.lower() for name in order) + ",EXTRA"
    values = dict(zip(COLUMNS, row(X_SWIFI_MGR_NO="R-9").split(","), strict=True))
    line = ",".join(values[name] for name in order) + ",ignored"
    rows, problems = read_wifi_csv(csv_text(line, header=header).encode())
    assert problems == []
    assert rows[0].manager_no == "R-9"
    assert (rows[0].latitude, rows[0].longitude) == (37.5725, 126.9769)


def test_tab_separated_files_read_too():
    text = csv_text(*(line.replace(",", "\t") for line in TWO.splitlines()[1:]))
    text = text.replace(HEADER, HEADER.replace(",", "\t"))
    rows, problems = read_wifi_csv(text.encode())
    assert problems == []
    assert [r.manager_no for r in rows] == ["ARI00001", "WF-JN-0002"]


def test_duplicate_management_numbers_are_the_importers_concern():
    rows, problems = read_wifi_csv(csv_text(row(), row(X_SWIFI_MAIN_NM="다른 곳")).encode())
    assert problems == []
    assert [r.manager_no for r in rows] == ["ARI00001", "ARI00001"]


def test_bad_numbers_are_refused_per_row():
    text = csv_text(
        row(X_SWIFI_MGR_NO="ok-1"),
        row(X_SWIFI_MGR_NO="arabic", LAT="٣٧.٥٧٢٥"),  # Arabic-Indic digits
        row(X_SWIFI_MGR_NO="fullwidth", X_SWIFI_CNSTC_YEAR="２０１９"),
        row(X_SWIFI_MGR_NO="words", LNT="동경 126도"),
        row(X_SWIFI_MGR_NO="far", LNT="500.1"),
        row(X_SWIFI_MGR_NO="old", X_SWIFI_CNSTC_YEAR="1850"),
        row(X_SWIFI_MGR_NO="ok-2", X_SWIFI_CNSTC_YEAR="2021.0"),
    )
    rows, problems = read_wifi_csv(text.encode())
    assert [r.manager_no for r in rows] == ["ok-1", "ok-2"]
    assert rows[1].install_year == 2021
    assert [(p.line, p.field) for p in problems] == [
        (3, "LAT"),
        (4, "X_SWIFI_CNSTC_YEAR"),
        (5, "LNT"),
        (6, "LNT"),
        (7, "X_SWIFI_CNSTC_YEAR"),
    ]
    assert "٣٧.٥٧٢٥" in problems[0].message


def test_a_row_may_have_several_problems_and_an_empty_number():
    rows, problems = read_wifi_csv(
        csv_text(row(X_SWIFI_MGR_NO="", LAT="x", X_SWIFI_CNSTC_YEAR="soon")).encode()
    )
    assert rows == []
    assert {p.field for p in problems} == {"X_SWIFI_MGR_NO", "LAT", "X_SWIFI_CNSTC_YEAR"}
    assert {p.line for p in problems} == {2}


def test_nul_bytes_are_refused():
    text = csv_text(row(X_SWIFI_MGR_NO="n-1", X_SWIFI_MAIN_NM="광장\x00"), row())
    rows, problems = read_wifi_csv(text.encode())
    assert [r.manager_no for r in rows] == ["ARI00001"]
    assert [(p.line, p.field) for p in problems] == [(2, "X_SWIFI_MAIN_NM")]
    assert "NUL" in problems[0].message


def test_blank_values_are_none_not_problems():
    rows, problems = read_wifi_csv(
        csv_text(row(LAT="", LNT="", X_SWIFI_CNSTC_YEAR="", X_SWIFI_INOUT_DOOR="")).encode()
    )
    assert problems == []
    [only] = rows
    assert (only.latitude, only.longitude, only.install_year, only.indoor) == (
        None,
        None,
        None,
        None,
    )
    assert not detect_swap(rows, SEOUL)


def test_unknown_indoor_words_are_none():
    rows, _problems = read_wifi_csv(csv_text(row(X_SWIFI_INOUT_DOOR="반실내")).encode())
    assert rows[0].indoor is None


def test_lines_count_physical_lines_and_skip_blank_ones():
    text = csv_text(
        row(X_SWIFI_MGR_NO="a", X_SWIFI_ADRES2='"2층, 로비\n안쪽"'),  # a quoted line break
        "",
        row(X_SWIFI_MGR_NO="b", LAT="bad"),
    )
    rows, problems = read_wifi_csv(text.encode())
    assert [(r.manager_no, r.line) for r in rows] == [("a", 2)]
    assert rows[0].address_detail == "2층, 로비\n안쪽"
    assert [(p.line, p.field) for p in problems] == [(5, "LAT")]


@pytest.mark.parametrize(
    ("written", "parts"),
    [
        ("7-1. 공원(하천)", ("7-1", "공원(하천)")),
        ("1. 주요거리", ("1", "주요거리")),
        ("3.전통시장", ("3", "전통시장")),
        ("10) 기타", ("10", "기타")),
        ("  8.   도서관 ", ("8", "도서관")),
        ("공공기관", ("공공기관", "공공기관")),
        ("", ("", "")),
    ],
)
def test_install_type_code_and_label(written, parts):
    assert install_type_parts(written) == parts


def test_swapped_pairs():
    assert swapped(126.9769, 37.5725, SEOUL)
    assert not swapped(37.5725, 126.9769, SEOUL)
    assert not swapped(0.0, 0.0, SEOUL)  # outside both ways
    assert not swapped(35.1, 129.0, SEOUL)  # Busan: outside, and not Seoul swapped either


def _file(swapped_rows: int, straight_rows: int) -> bytes:
    lines = [
        row(X_SWIFI_MGR_NO=f"s{i}", LAT="126.98", LNT="37.57") for i in range(swapped_rows)
    ] + [row(X_SWIFI_MGR_NO=f"n{i}", LAT="37.57", LNT="126.98") for i in range(straight_rows)]
    return csv_text(*lines).encode()


def test_a_file_that_swaps_its_columns_is_detected():
    rows, problems = read_wifi_csv(_file(9, 1))
    assert problems == []
    # The reader keeps the numbers as the file has them; the importer swaps back.
    assert (rows[0].latitude, rows[0].longitude) == (126.98, 37.57)
    assert detect_swap(rows, SEOUL)
    assert not detect_swap(read_wifi_csv(_file(0, 10))[0], SEOUL)
    assert not detect_swap(read_wifi_csv(_file(1, 9))[0], SEOUL)
    assert not detect_swap(read_wifi_csv(_file(5, 5))[0], SEOUL)  # half is not most
    assert detect_swap(read_wifi_csv(_file(6, 5))[0], SEOUL)
    assert not detect_swap([], SEOUL)
