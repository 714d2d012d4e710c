#!/usr/bin/env python3
"""Writes tests/fixtures/tokenizer/ for tests/fixture/test_tokenizer_hf.cpp: a small byte-level BPE
vocabulary (vocab.json + merges.txt, RoBERTa's file formats) and the ids that Hugging Face's
RobertaTokenizer gives for a few hundred strings and pairs (cases.json).

Generated with tokenizers 0.23.3 and transformers 5.24.0 (also recorded in cases.json). No
downloads: the vocabulary is trained here by tokenizers' ByteLevelBPETokenizer on a generated
multilingual corpus (English, French, German, Spanish, Greek, Russian, Chinese, Japanese, Arabic,
emoji, numbers, contractions). Run by hand from the repository root:
    python3 tools/gen_tokenizer_fixtures.py

The vocabulary puts <s> <pad> </s> <unk> at ids 0-3 and <mask> last, as roberta-base does, so a
reader that hard-codes special ids instead of reading them from vocab.json fails the test.
cases.json:
  "single": [{"text", "ids"}]                               encode(text), no truncation
  "pair":   [{"a", "b", "max_len", "ids"}]                  encode(a, b), longest_first to max_len
                                                            (0: none); a and b are not empty
  "single_trunc": [{"text", "max_len", "ids"}]              encode(text) truncated to max_len
  "decode": [{"ids", "skip_special", "text"}]               decode(ids)
"""
import json
import os
import random

import tokenizers
import transformers
from tokenizers import ByteLevelBPETokenizer
from transformers import RobertaTokenizer

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "tokenizer")
NUM_MERGES = 3000

WORDS = {
    "en": "the of and to in is was for on that with as by at from it his an were are which this "
    "be or has had not first one their its new after who they have her she two been other when "
    "there all during into school time may years more most only over city some world would where "
    "later up such used many can state about national out known university united then made "
    "movie film great story acting plot wonderful boring characters performance director".split(),
    "fr": "le la les des une être déjà très où château élève français garçon naïve noël forêt "
    "hôpital cœur œuvre façade fenêtre théâtre été première".split(),
    "de": "der die und größe straße über müssen schön fußball mädchen grüße äpfel öffnen "
    "übermäßig weiß".split(),
    "es": "el niño año señor mañana corazón canción pequeño también aquí está búsqueda".split(),
    "el": "και του της το στην είναι από για με τον αλφάβητο ελληνικά θάλασσα".split(),
    "ru": "и в не на что быть он с как это по но они к у мы привет мир язык книга".split(),
    "zh": list("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年") + [
        "中国", "北京", "你好", "世界", "电影", "学生"],
    "ja": ["こんにちは", "ありがとう", "日本語", "東京", "カタカナ", "ひらがな", "映画"],
    "ar": "في من على إلى أن هذا مرحبا كتاب".split(),
    "emoji": ["😀", "🎉", "👍", "❤️", "🚀", "🙂", "👩‍💻", "🇫🇷"],
}


SYLLABLES = "ka to ri mu sen lo va pre ist ung tion ment er an qu ox zy bel dor fin gra".split()


def pseudo_word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))


def corpus(rng):
    lines = []
    langs = list(WORDS)
    for _ in range(3000):  # invented words give the trainer something to merge beyond WORDS
        words = [pseudo_word(rng) for _ in range(rng.randint(3, 12))]
        lines.append(rng.choice([" ", "  ", "\n", "    "]).join(words))
    for _ in range(6000):
        lang = rng.choice(langs[:5] * 4 + langs[5:])
        words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(3, 14))]
        if lang in ("zh", "ja"):
            line = "".join(words) + "。"
        else:
            if rng.random() < 0.3:
                words.insert(rng.randrange(len(words)), str(rng.randint(0, 100000)))
            if rng.random() < 0.2:
                words.insert(rng.randrange(len(words)), rng.choice(
                    ["don't", "it's", "we're", "I've", "I'm", "you'll", "he'd", "can't"]))
            if rng.random() < 0.2:
                words.append(rng.choice(WORDS["emoji"]))
            line = " ".join(words)
            line = line[0].upper() + line[1:] + rng.choice([".", "!", "?", ",", "..."])
        lines.append(line)
    return lines


def test_strings(rng):
    s = [
        "", " ", "  ", "\n", "\n\n", "\t", " \t\n ", "a", " a", "a ", "a  ", "  a", "a\n", "\na",
        "Hello world", "Hello  world", "Hello   world", "Hello\nworld", "Hello \n world",
        "Hello\n\n\nworld", "Hello\t\tworld", "trailing spaces   ", "   leading spaces",
        "don't", "Don't", "DON'T", "it's", "It'S", "we're", "I've", "I'm", "you'll", "he'd",
        "'s", "'tis", "rock'n'roll", "''quoted''", "'''s", "' s", "the dog's bone",
        "12", "123", "1234567890", "3.14159", "1,000,000", "$5.99", "50%", "2024-01-31",
        "version 2.0.1", "x1y2z3", "abc123def", " 42", "42 ", "Ⅻ roman", "½ half", "²³",
        "٣٤٥ arabic digits", "١٢", "𝟙𝟚𝟛",
        "café", "naïve", "résumé", "Müller", "Straße", "señor", "Ελληνικά", "Привет, мир!",
        "e\u0301 combining", "cafe\u0301", "ﬁ ligature", "Ǆ title", "ǅungla",
        "中文", "中国北京", "你好，世界！", "日本語のテキスト", "こんにちは世界", "한국어 텍스트",
        "مرحبا بالعالم", "שלום עולם", "हिन्दी", "ไทย",
        "😀", "😀😀😀", "hello 😀 world", "👩‍💻 coding", "🇫🇷🇩🇪", "❤️", "a😀b", " 😀",
        "@user #hashtag http://example.com/path?q=1&r=2", "email@example.com",
        "<html><body>tag</body></html>", "C++ && Python || Rust", "a->b => c",
        "!!!", "???", "...", "—", "–dash", "“curly quotes”", "«guillemets»", "¿Qué?", "¡Hola!",
        "tab\tseparated\tvalues", "line1\r\nline2", "\r", "\x0b\x0c", "\u00a0nbsp", "a\u00a0b",
        "a\u2003b", "a\u3000b", "a\u2028b", "a\u0085b", "\u200bzero width", "a\x1cb",
        "ALLCAPS WORDS HERE", "MiXeD CaSe", "snake_case_name", "camelCaseName",
        "x" * 300, "ab" * 200, "supercalifragilisticexpialidocious" * 5, "中" * 150,
        "😀" * 60, "1" * 120, "!" * 100, " " * 50, "\n" * 30, "a" + " " * 40 + "b",
        "It was a truly wonderful movie, and I'd watch it again.",
        "The plot is boring; the acting isn't great either.",
        "A masterpiece: 10/10 (would recommend).",
        "unbelievably bad -- 0 stars",
    ]
    # Random strings: mixtures of words from the corpus, unseen words, odd whitespace, symbols.
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"-()\n\t"
                "éèêàçüöäßñ中文日本語😀🎉ΩπЖж١٢½Ⅻ\u00a0\u3000")
    for _ in range(160):
        kind = rng.random()
        if kind < 0.5:
            lang = rng.choice(list(WORDS))
            words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(1, 12))]
            seps = [rng.choice([" ", " ", " ", "  ", "\n", " \n", "\t", ""]) for _ in words]
            s.append("".join(w + sep for w, sep in zip(words, seps)))
        else:
            s.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    return s


def main():
    rng = random.Random(1234)
    os.makedirs(OUT, exist_ok=True)
    trainer_tok = ByteLevelBPETokenizer(add_prefix_space=False)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trainer_tok.train_from_iterator(corpus(rng), vocab_size=256 + len(specials) + NUM_MERGES,
                                    min_frequency=2, special_tokens=specials)
    trainer_tok.save_model(OUT)  # vocab.json, merges.txt
    # Move <mask> to the end (roberta-base: 50264 of 50265) and renumber the rest densely.
    vocab_path = os.path.join(OUT, "vocab.json")
    with open(vocab_path, encoding="utf-8") as f:
        vocab = json.load(f)
    order = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t != "<mask>"]
    order.append("<mask>")
    vocab = {t: i for i, t in enumerate(order)}
    with open(vocab_path, "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    merges_path = os.path.join(OUT, "merges.txt")

    tok = RobertaTokenizer(vocab=vocab_path, merges=merges_path, add_prefix_space=False)

    strings = test_strings(rng)
    cases = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
             "vocab_size": len(vocab), "single": [], "single_trunc": [], "pair": [],
             "decode": []}
    for text in strings:
        ids = tok(text)["input_ids"]
        cases["single"].append({"text": text, "ids": ids})
    for text in strings[::5]:
        n = len(tok(text)["input_ids"])
        for max_len in sorted({3, 5, max(3, n - 1), n}):
            ids = tok(text, truncation=True, max_length=max_len)["input_ids"]
            cases["single_trunc"].append({"text": text, "max_len": max_len, "ids": ids})
    # transformers treats an empty second text as no pair at all, so pairs use non-empty texts.
    nonempty = [t for t in strings if t]
    for i in range(120):
        a, b = rng.choice(nonempty), rng.choice(nonempty)
        if i % 10 == 0:
            b = a  # equal lengths: which side keeps the odd token
        la = len(tok(a, add_special_tokens=False)["input_ids"])
        lb = len(tok(b, add_special_tokens=False)["input_ids"])
        max_len = rng.choice([None, 4 + (la + lb) // 2, 4 + la + lb - 1, rng.randint(5, 40)])
        if max_len is None:
            ids = tok(a, b)["input_ids"]
        else:
            ids = tok(a, b, truncation="longest_first", max_length=max_len)["input_ids"]
        cases["pair"].append({"a": a, "b": b, "max_len": max_len or 0, "ids": ids})
    # Decoding whole encodings, truncated ones (which can cut a character's bytes) and random ids.
    random_ids = [[rng.randrange(len(vocab)) for _ in range(rng.randint(1, 12))] for _ in range(30)]
    for c in (cases["single"][::4] + [{"ids": p["ids"]} for p in cases["pair"][::6]] +
              cases["single_trunc"][::5] + [{"ids": ids} for ids in random_ids]):
        for skip in (False, True):
            cases["decode"].append({"ids": c["ids"], "skip_special": skip,
                                    "text": tok.decode(c["ids"], skip_special_tokens=skip,
                                                       clean_up_tokenization_spaces=False)})
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=0)
    print({k: len(v) for k, v in cases.items() if isinstance(v, list)})


if __name__ == "__main__":
    main()
