#!/usr/bin/env python3
"""Packs real sentence lengths into document windows (docs/workloads.md, "Long sequences").

Usage: pack-windows.py LIMIT SENTENCES.txt > WINDOWS.txt

SENTENCES.txt holds one sentence per line as a BERT token count including [CLS] and [SEP]
(data/seq-lengths/). Consecutive sentences are packed greedily, in file order, into windows of
at most LIMIT tokens, as a document chunker packs sentences for a reading-comprehension or
long-document model: a window is [CLS] s1 s2 … sk [SEP], so it holds 2 + Σ (len_i − 2) tokens,
and the next sentence starts a new window when it would not fit. A sentence longer than a
window on its own is truncated to the window. Prints one window length per line.
"""
import sys


def main():
    limit = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        sentences = [int(line) - 2 for line in f if line.strip()]
    window = 0
    for s in sentences:
        s = min(s, limit - 2)
        if window and 2 + window + s > limit:
            print(2 + window)
            window = 0
        window += s
    if window:
        print(2 + window)


if __name__ == "__main__":
    main()
