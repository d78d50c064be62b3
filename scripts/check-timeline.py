#!/usr/bin/env python3
"""Checks a bertsim timeline (--timeline FILE) against its schema (docs/timeline.schema.json).

Usage: check-timeline.py SCHEMA TIMELINE

A reader that shares no code with the writer (Sources/BertSimReport/PerfettoTimeline.swift):
Python's json module parses the file and jsonschema validates it against the Trace Event
Format subset bertsim writes. Then, per track, the complete slices must be in order and tile
the window [otherData.start_cycle, otherData.end_cycle) exactly. Prints the slice count.
"""
import json
import sys

import jsonschema


def main():
    schema_path, timeline_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(timeline_path, encoding="utf-8") as f:
        timeline = json.load(f)
    jsonschema.validate(timeline, schema)
    start, end = timeline["otherData"]["start_cycle"], timeline["otherData"]["end_cycle"]
    tracks = {}
    for event in timeline["traceEvents"]:
        if event["ph"] == "X":
            tracks.setdefault(event["tid"], []).append(event)
    slices = 0
    for tid, events in sorted(tracks.items()):
        t = start
        for event in events:
            args = event["args"]
            if args["start_cycle"] != t:
                sys.exit(f"track {tid}: slice at cycle {args['start_cycle']}, expected {t}")
            t += args["cycles"]
            slices += 1
        if t != end:
            sys.exit(f"track {tid}: slices end at cycle {t}, the window at {end}")
    print(f"{timeline_path}: valid, {len(tracks)} tracks, {slices} slices")


if __name__ == "__main__":
    main()
