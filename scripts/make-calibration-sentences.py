#!/usr/bin/env python3
"""Writes data/text/calibration-sentences.txt: the sentences `bertsim accuracy` calibrates
activation scales on (docs/accuracy.md), disjoint from the scored STS pairs.

Source: the sentence sets of Hutto & Gilbert, "VADER" (ICWSM 2014), shipped in the PyPI source
archive vaderSentiment==3.3.2 (MIT licence), additional_resources/hutto_ICWSM_2014.tar.gz:
NYT editorial snippets, movie review snippets, Amazon review snippets and tweets. 64 from each,
evenly spaced through each file, skipping any sentence that also appears in
data/text/sts-pairs.tsv and any of more than 60 words. Run from the repository root:
    python3 scripts/make-calibration-sentences.py
"""
import glob, io, os, subprocess, sys, tarfile, tempfile

PER_SET = 64
SETS = ["nytEditorialSnippets", "movieReviewSnippets", "amazonReviewSnippets", "tweets"]

def main():
    scored = set()
    with open("data/text/sts-pairs.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cells = line.rstrip("\n").split("\t")
            scored.update(s.strip().lower() for s in cells[2:4])
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "vaderSentiment==3.3.2", "-d", tmp], check=True)
        sdist = glob.glob(os.path.join(tmp, "vaderSentiment-3.3.2.tar.gz"))[0]
        with tarfile.open(sdist) as outer:
            inner = outer.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz").read()
        out = []
        with tarfile.open(fileobj=io.BytesIO(inner)) as t:
            for name in SETS:
                raw = t.extractfile(f"hutto_ICWSM_2014/{name}_GroundTruth.txt").read().decode("utf-8-sig")
                sentences = []
                for line in raw.splitlines():
                    cells = line.split("\t")
                    if len(cells) < 3:
                        continue
                    s = " ".join(cells[2].split()).replace("&amp;", "&")
                    if s and s.lower() not in scored and len(s.split()) <= 60:
                        sentences.append(s)
                step = len(sentences) // PER_SET
                out += [(name, sentences[i * step]) for i in range(PER_SET)]
    with open("data/text/calibration-sentences.txt", "w", encoding="utf-8") as f:
        f.write("# Calibration sentences for bertsim accuracy (activation scales), disjoint from\n"
                "# data/text/sts-pairs.tsv. Made by scripts/make-calibration-sentences.py from the VADER\n"
                "# sentence sets (Hutto & Gilbert, ICWSM 2014) in PyPI vaderSentiment==3.3.2, MIT licence:\n"
                f"# {PER_SET} each of {', '.join(SETS)}, evenly spaced. One sentence a line.\n")
        for _, s in out:
            f.write(s + "\n")
    print(f"wrote {len(out)} sentences", file=sys.stderr)

main()
