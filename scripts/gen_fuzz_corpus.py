#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, tests/fuzz/corpus/NAME/.

Standard library only. Seeds are small valid inputs (committed fixtures cut
down to a few tensors, files of every dtype, tiny models trained by the
recur program, which it builds) and the hostile inputs of the unit tests,
so that a short run starts from inputs that reach deep into each parser.
Run from anywhere; it replaces the files it writes and leaves others.
"""
import json
import os
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- safetensors -----------------------------------------------------------

def st_file(header_text, data=b""):
    """The format's layout around a header given as text: length, JSON, data."""
    h = header_text.encode() if isinstance(header_text, str) else header_text
    return struct.pack("<Q", len(h)) + h + data


def framed(header_text, data=b""):
    """The target's second reading of an input: JSON, a NUL, then the data."""
    return header_text.encode() + b"\0" + data


def st_from_tensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes), laid out in order."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)  # padded as the reference writer pads
    return text, data


def cut_fixture(name, keep):
    """The `keep` smallest tensors of a committed fixture and two of its metadata entries, shortened."""
    with open(os.path.join(ROOT, "tests", "fixtures", name + ".safetensors"), "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    entries = sorted(header.items(), key=lambda kv: (kv[1]["data_offsets"][1] - kv[1]["data_offsets"][0], kv[0]))
    tensors = [(k, v["dtype"], v["shape"], b[base + v["data_offsets"][0]:base + v["data_offsets"][1]])
               for k, v in entries[:keep]]
    short = {k: v[:80] for k, v in list(meta.items())[:2]}
    return st_from_tensors(tensors, short)


def f32(*xs):
    return struct.pack("<%df" % len(xs), *xs)


def safetensors():
    valid = {
        "ops": cut_fixture("ops", 4),
        "lstm": cut_fixture("lstm", 3),
        "gru": cut_fixture("gru", 4),
        "attention": cut_fixture("attention", 3),
        "seq2seq": cut_fixture("seq2seq", 3),
        # the fixed parameter list of the target: it loads, strict or not
        "params": st_from_tensors([("lin.weight", "F32", [2, 3], f32(1, -2, 3.5, 0, -0.0, 1e-40)),
                                   ("lin.bias", "F32", [2], f32(0.25, -7)),
                                   ("scale", "F32", [], f32(2))], {"format": "recur", "task": "lm"}),
        "params_f16_bf16_f64": st_from_tensors([("lin.weight", "F16", [2, 3], struct.pack("<6H", 0x3E00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00)),
                                                ("lin.bias", "BF16", [2], struct.pack("<2H", 0x3FC0, 0xFF80)),
                                                ("scale", "F64", [], struct.pack("<d", 0.1))]),
        "params_extra": st_from_tensors([("lin.weight", "F32", [2, 3], f32(*range(6))),
                                         ("lin.bias", "F32", [2], f32(1, 2)),
                                         ("scale", "F32", [], f32(3)),
                                         ("extra", "F32", [1], f32(4))]),
        "params_wrong_shape": st_from_tensors([("lin.weight", "F32", [3, 2], f32(*range(6))),
                                               ("lin.bias", "F32", [2], f32(1, 2)),
                                               ("scale", "F32", [1], f32(3))]),
        "dtypes": st_from_tensors([("h", "F16", [2], struct.pack("<2H", 0x03FF, 0x7E00)),
                                   ("b", "BF16", [1, 2], struct.pack("<2H", 0x0001, 0x7F7F)),
                                   ("d", "F64", [1, 1, 1, 1], struct.pack("<d", -2.5)),
                                   ("i", "I64", [3], struct.pack("<3q", 7, -1, 3000000000)),
                                   ("j", "I32", [2], struct.pack("<2i", -5, 2147483647)),
                                   ("z", "F32", [0, 3], b""),
                                   ("e", "I32", [0], b"")], {"format": "pt"}),
        "empty": ("{}", b""),
        "metadata_only": ('{"__metadata__":{"format":"recur","config":"{\\"cell\\":\\"lstm\\"}","vocab":"[\\"<unk>\\",\\"a\\"]"}}', b""),
        "gap": ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}', bytes(16)),
    }
    for name, (text, data) in valid.items():
        write("safetensors", "valid_" + name, st_file(text, data))
        write("safetensors", "framed_" + name, framed(text, data))

    t1 = '{"a":{"dtype":%s,"shape":%s,"data_offsets":%s}}'
    hostile = [
        ("{not json", 0), ("", 0), ("{} trailing", 0), ('{"a\\u0000b":1}', 0), ("[1, 2]", 0),
        ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8),
        (t1 % ('"U8"', "[1]", "[0,1]"), 1), (t1 % ('"F8_E4M3"', "[1]", "[0,1]"), 1), (t1 % ("32", "[1]", "[0,4]"), 4),
        (t1 % ('"F32"', "[-1]", "[0,4]"), 4), (t1 % ('"F32"', "[2.5]", "[0,4]"), 4), (t1 % ('"F32"', '[1,"2"]', "[0,8]"), 8),
        (t1 % ('"F32"', "[4294967296]", "[0,4]"), 4), (t1 % ('"F32"', "3", "[0,12]"), 12),
        (t1 % ('"F32"', "[1,1,1,1,1]", "[0,4]"), 4),
        (t1 % ('"F32"', "[2147483647,2147483647,2147483647,2147483647]", "[0,4]"), 4),
        (t1 % ('"F32"', "[2147483647,2147483647,4]", "[0,4]"), 4),
        (t1 % ('"F32"', "[1]", "[0]"), 4), (t1 % ('"F32"', "[1]", "[0,4,8]"), 8), (t1 % ('"F32"', "[1]", '[0,"4"]'), 4),
        (t1 % ('"F32"', "[1]", "[0,4.0]"), 4), (t1 % ('"F32"', "[1]", "[-4,0]"), 4), (t1 % ('"F32"', "[1]", "4"), 4),
        (t1 % ('"F32"', "[0]", "[4,0]"), 4), (t1 % ('"F32"', "[2]", "[0,8]"), 4), (t1 % ('"F32"', "[2]", "[0,4]"), 4),
        (t1 % ('"F64"', "[2,1]", "[0,8]"), 16), (t1 % ('"F32"', "[100000,250000]", "[0,100000000000]"), 16),
        ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12),
        ('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},'
         '"c":{"dtype":"F32","shape":[1],"data_offsets":[20,24]}}', 24),
        ('{"a":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4),
        ('{"__metadata__":3}', 0), ('{"__metadata__":{"k":1}}', 0), ('{"a":[1]}', 0),
        ('{"a":{"dtype":"F32","shape":[1]}}', 4), ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":0}}', 4),
    ]
    for i, (text, n_data) in enumerate(hostile):
        write("safetensors", "hostile_header_%02d" % i, st_file(text, bytes(n_data)))
    write("safetensors", "hostile_invalid_utf8", st_file(b'{"\xff":1}'))
    lengths = [b"", b"\x02\0\0\0\0", struct.pack("<Q", 1000) + b"{}", struct.pack("<Q", 1 << 63) + b"{}",
               struct.pack("<Q", (1 << 64) - 1) + b"{}"]
    for i, b in enumerate(lengths):
        write("safetensors", "hostile_length_%d" % i, b)


# ---- text ------------------------------------------------------------------

def text():
    with open(os.path.join(ROOT, "data", "moby_dick.txt"), "rb") as f:
        write("text", "valid_moby_dick_start", f.read(1024))
    valid = {
        "ascii": b"Call me Ishmael.\n",
        "every_length": "a\u00e9\u20ac\U0001F600\x7f\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF\ud7ff\ue000".encode(),
        "bom_crlf": "\ufeffline one\r\nline two\r\n".encode(),
        "nul": b"a\0b\n",
    }
    for name, b in valid.items():
        write("text", "valid_" + name, b)
    # the ill-formed sequences of the unit tests, some after a few good lines
    hostile = [b"", b"\xC0\x80", b"\xC1\xBF", b"\xE0\x80\x80", b"\xE0\x9F\xBF", b"\xF0\x8F\xBF\xBF",
               b"\xED\xA0\x80", b"\xED\xBF\xBF", b"\xF4\x90\x80\x80", b"\xF7\xBF\xBF\xBF",
               b"\xF8\x88\x80\x80\x80", b"\xFF", b"\x80", b"\xBF", b"\xE2\x82", b"\xE2\x82a",
               b"\xF0\x9F\x98", b"\xC3", b"ab\xC0\x80", b"x\ny\n\xFF", b"\xC3\xA9\xE2\x82\xACz\xED\xA0\x80",
               b"ok\n\xE2\x82", b"line one\nline \xC0\xAF two\n"]
    for i, b in enumerate(hostile):
        write("text", "hostile_%02d" % i, b)


# ---- vocabulary JSON -------------------------------------------------------

def vocab():
    valid = ['["<unk>"]', '["<unk>","\\n"," ","a","b"]', '["<unk>","b","a"]',
             '["<unk>","\\u00e9","\\ud83d\\ude00","\\u0000","\\"","\\\\"]',
             json.dumps(["<unk>"] + [chr(c) for c in (0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF)])]
    for i, t in enumerate(valid):
        write("vocab", "valid_%d" % i, t.encode())
    hostile = ["", '{"a": 1}', "[]", '["a", "<unk>"]', '["<unk>", 5]', '["<unk>", "ab"]', '["<unk>", ""]',
               '["<unk>", "a", "b", "a"]', '["<unk>", "<unk>"]', '["<unk>", "\\ud800"]', '["<unk>"', '["<unk>", null]',
               '["<unk>", ["a"]]', '["<unk>", "a"] trailing']
    for i, t in enumerate(hostile):
        write("vocab", "hostile_%02d" % i, t.encode())
    write("vocab", "hostile_overlong", b'["<unk>", "\xC0\x80"]')
    # token vocabularies, with specials and without (labels, tags)
    tokens = ['["<pad>","<unk>","the","cat","\\u00e9t\\u00e9"]', '["B-PER","I-PER","O"]', '["<pad>","<unk>"]',
              '["<unk>","<pad>","a"]', '["<pad>","<unk>","a","a"]', '["<pad>","<unk>","<pad>"]', '["a",""]',
              '["a","b\\u0000c"]', '["<pad>"]']
    for i, t in enumerate(tokens):
        write("vocab", "tokens_%02d" % i, t.encode())


# ---- training data: TSV, LABEL<TAB>TEXT, word/TAG, CoNLL ---------------------

def datasets():
    valid = {
        "tsv_pairs": "abc\tcba\nhello world\tdlrow olleh\r\n\n\u00e9t\u00e9\t\u00e9t\u00e9",
        "tsv_three": "a\tb\tc\nd\te\tf\n",
        "labeled": "pos\tgood film\nneg \t  bad\tfilm  \npos\tgreat\r\n",
        "slash": "The/DT cat/NN sat/VBD ./.\n1/2/CD cups/NNS\n",
        "conll": "-DOCSTART- -X- O O\n\nEU NNP B-ORG\nrejects VBZ O\n\n\nGerman JJ B-MISC\n",
        "conll_tabs": "word\tTAG\nnext\tTAG2\n",
        "words": "  two  words\vand\f\u00e9 more\t",
    }
    for name, text in valid.items():
        write("datasets", "valid_" + name, text.encode())
    hostile = ["", "\n\n", "a\tb\tc\n", "a\t\n", "\tb\n", "a\tb\x00c\n", "no tab here\n", "lab\t   \n",
               "the/dt cat/nn\nthe dog/nn\n", "the/dt cat/nn\n\nthe/dt dog/nn\n", "EU NNP\nalone\n", "/x y/\n",
               "a//b\n"]
    for i, text in enumerate(hostile):
        write("datasets", "hostile_%02d" % i, text.encode())
    write("datasets", "hostile_utf8", b"ok\tfine\nbad\t\xC0\xAF\n")
    write("datasets", "hostile_cr", b"a\tb\r\r\n")


# ---- model files of the recur program --------------------------------------

def st_parse(b):
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]


def st_rewrite(b, edit):
    """The file b with its header passed through edit(header) (data kept)."""
    header, data = st_parse(b)
    edit(header)
    return json.dumps(header, separators=(",", ":")), data


def model():
    subprocess.run(["make", "-s", "-C", ROOT, "build/rel/recur"], check=True)
    recur = os.path.join(ROOT, "build", "rel", "recur")
    files = {}
    texts = {"lm": "abca\nb\u00e9\U0001F600 a\n", "classify": "pos\tgood film\nneg\tbad film\npos\tgreat\n",
             "tag": "The/DT cat/NN sat/VBD\nA/DT dog/NN ran/VBD\n", "translate": "abc\tcba\nab\tba\nxyz\tzyx\n"}
    small = ["--valid-fraction", "0", "--batch", "1", "--steps", "1", "--quiet", "--embed", "2"]
    models = [("lstm", "lm", ["--cell", "lstm", "--layers", "1", "--hidden", "2", "--seq-len", "4"]),
              ("gru", "lm", ["--cell", "gru", "--layers", "1", "--hidden", "2", "--seq-len", "4"]),
              ("rnn", "lm", ["--cell", "rnn", "--layers", "1", "--hidden", "2", "--seq-len", "4"]),
              ("rnn_relu_2layers", "lm", ["--cell", "rnn-relu", "--layers", "2", "--hidden", "1", "--seq-len", "4"]),
              ("classify", "classify", ["--layers", "1", "--hidden", "2"]),
              ("classify_attention_pool", "classify", ["--cell", "gru", "--hidden", "2", "--pool", "attention"]),
              ("tag", "tag", ["--layers", "1", "--hidden", "2", "--char-embed", "2", "--char-hidden", "1"]),
              ("tag_no_chars", "tag", ["--hidden", "2", "--no-char-features", "--no-bidirectional"]),
              ("translate", "translate", ["--hidden", "2"]),
              ("translate_multihead", "translate", ["--hidden", "2", "--attention", "multihead", "--heads", "2"])]
    with tempfile.TemporaryDirectory() as tmp:
        for task, text in texts.items():
            with open(os.path.join(tmp, task + ".txt"), "wb") as f:
                f.write(text.encode())
        for name, task, args in models:
            out = os.path.join(tmp, name + ".model")
            subprocess.run([recur, task, "train", "--data", os.path.join(tmp, task + ".txt"), "--model", out] + small +
                           args, check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as f:
                files[name] = f.read()
            if name == "lstm":
                with open(out + ".ckpt", "rb") as f:
                    files["lstm_checkpoint"] = f.read()
    for name, b in files.items():
        write("model", "valid_" + name, b)
        header, data = st_parse(b)
        write("model", "framed_" + name, framed(json.dumps(header, separators=(",", ":")), data))

    def meta(key, value):
        def edit(h):
            if value is None:
                del h["__metadata__"][key]
            else:
                h["__metadata__"][key] = value
        return edit

    config = '{"cell":"lstm","layers":1,"hidden":2,"embed":2,"dropout":0.0}'
    edits = {
        "no_format": meta("format", None), "other_format": meta("format", "pt"), "other_task": meta("task", "tag"),
        "no_config": meta("config", None), "config_not_json": meta("config", "{cell"),
        "config_not_object": meta("config", "[1]"), "config_unknown": meta("config", config[:-1] + ',"lr":1}'),
        "config_missing": meta("config", '{"cell":"lstm"}'), "config_cell": meta("config", config.replace("lstm", "gru")),
        "config_range": meta("config", config.replace('"hidden":2', '"hidden":0')),
        "config_type": meta("config", config.replace('"layers":1', '"layers":"1"')),
        "config_dropout": meta("config", config.replace("0.0", "0.99")),
        "no_vocab": meta("vocab", None), "vocab_short": meta("vocab", '["<unk>","a"]'),
        "vocab_bad": meta("vocab", '["<unk>","aa"]'),
        "missing_tensor": lambda h: h.pop("head.bias"),
    }
    for name, edit in edits.items():
        text, data = st_rewrite(files["lstm"], edit)
        write("model", "hostile_" + name, st_file(text, data))

    def config(change):
        def edit(h):
            c = json.loads(h["__metadata__"]["config"])
            c.update(change)
            h["__metadata__"]["config"] = json.dumps(c)
        return edit

    others = {
        "classify_pool": ("classify", config({"pool": "median"})),
        "classify_labels": ("classify", meta("labels", "[]")),
        "tag_format": ("tag", config({"char-features": False})),
        "tag_chars": ("tag", meta("chars", '["<pad>","<unk>","a","a"]')),
        "translate_attention": ("translate", config({"attention": "luong-dot"})),
        "translate_vocab": ("translate", meta("vocab", '{"source":[]}')),
    }
    for name, (model, edit) in others.items():
        text, data = st_rewrite(files[model], edit)
        write("model", "hostile_" + name, st_file(text, data))


if __name__ == "__main__":
    safetensors()
    text()
    vocab()
    datasets()
    model()
