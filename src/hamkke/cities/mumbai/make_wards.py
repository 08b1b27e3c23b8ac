"""Builds districts.geojson: APPROXIMATE outlines of Greater Mumbai's 24 administrative wards.

No open ward boundaries could be obtained where this profile was written, so the wards are
Voronoi cells around each ward's approximate centre, clipped to a hand-drawn outline of Greater
Mumbai (island city and suburbs, coastline simplified). They are good enough to route a
demo report to a ward office; they are NOT official boundaries. Replace districts.geojson with
the municipal corporation's ward map before real use. Run: python make_wards.py
"""

import json
from pathlib import Path

from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.ops import voronoi_diagram

# (lon, lat), clockwise from Colaba: the west coast, the northern limit, Thane creek, the harbour.
OUTLINE = [
    (72.806, 18.893),
    (72.812, 18.925),
    (72.795, 18.955),
    (72.806, 18.985),
    (72.812, 19.012),
    (72.818, 19.045),
    (72.822, 19.075),
    (72.824, 19.100),
    (72.812, 19.135),
    (72.790, 19.180),
    (72.790, 19.230),
    (72.820, 19.260),
    (72.850, 19.275),
    (72.880, 19.270),
    (72.930, 19.265),
    (72.960, 19.200),
    (72.975, 19.175),
    (72.985, 19.150),
    (72.985, 19.100),
    (72.995, 19.060),
    (72.960, 19.010),
    (72.930, 18.995),
    (72.890, 19.000),
    (72.862, 19.000),
    (72.848, 18.965),
    (72.845, 18.940),
    (72.832, 18.905),
]

# Ward letter, name, approximate centre (lat, lon) of the area it covers.
WARDS = [
    ("A", "Colaba, Fort", 18.925, 72.830),
    ("B", "Sandhurst Road, Dongri", 18.958, 72.838),
    ("C", "Marine Lines, Kalbadevi", 18.948, 72.826),
    ("D", "Grant Road, Malabar Hill", 18.962, 72.808),
    ("E", "Byculla", 18.976, 72.836),
    ("F/S", "Parel", 19.000, 72.843),
    ("F/N", "Matunga, Sion", 19.030, 72.862),
    ("G/S", "Worli, Elphinstone", 19.005, 72.818),
    ("G/N", "Dadar, Mahim, Dharavi", 19.035, 72.845),
    ("H/E", "Bandra East, Santacruz East", 19.070, 72.852),
    ("H/W", "Bandra West, Khar", 19.065, 72.832),
    ("K/E", "Andheri East", 19.115, 72.872),
    ("K/W", "Andheri West, Juhu", 19.125, 72.835),
    ("P/S", "Goregaon", 19.165, 72.852),
    ("P/N", "Malad", 19.190, 72.838),
    ("R/S", "Kandivali", 19.208, 72.858),
    ("R/C", "Borivali", 19.232, 72.852),
    ("R/N", "Dahisar", 19.255, 72.862),
    ("L", "Kurla", 19.072, 72.886),
    ("M/E", "Govandi, Mankhurd, Trombay", 19.045, 72.935),
    ("M/W", "Chembur", 19.058, 72.900),
    ("N", "Ghatkopar, Vikhroli", 19.095, 72.912),
    ("S", "Bhandup, Powai", 19.140, 72.930),
    ("T", "Mulund", 19.178, 72.955),
]


def build() -> dict:
    outline = Polygon(OUTLINE)
    centres = [Point(lon, lat) for _code, _name, lat, lon in WARDS]
    cells = voronoi_diagram(MultiPoint(centres), envelope=outline.buffer(0.2))
    features = []
    for (code, name, _lat, _lon), centre in zip(WARDS, centres, strict=True):
        cell = next(c for c in cells.geoms if c.contains(centre))
        ward = cell.intersection(outline)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ward": code.replace("/", "").lower(),
                    "name": f"Ward {code} ({name})",
                    "approximate": True,
                },
                "geometry": mapping(ward.simplify(0.0002)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    target = Path(__file__).with_name("districts.geojson")
    target.write_text(json.dumps(build(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")
