#!/usr/bin/env python3
"""Writes tests/fixtures/bpe_trainer/ for tests/fixture/test_bpe_trainer_hf.cpp: a small generated
corpus (corpus.txt, one text per line: English words, pseudo-words from syllables, contractions,
accents, CJK, emoji, digits, runs of spaces) and the vocab.json + merges.txt that Hugging Face's ByteLevelBPETokenizer
trainer learns from it (vocab_size 1200, min_frequency 2, special tokens <s> <pad> </s> <unk>
<mask>), which fftune's BpeTrainer must reproduce exactly.

Generated with tokenizers 0.23.3 (recorded in versions.json). Run by hand from the repository root:
    python3 tools/gen_bpe_trainer_fixtures.py
"""
import json
import os
import random

import tokenizers
from tokenizers import ByteLevelBPETokenizer

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "bpe_trainer")
VOCAB_SIZE = 1200
SPECIAL = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]

WORDS = ("the of and to in is was for on that with as by at from it his an were are this be or "
         "has had not one their new after who they have her she two been other when there all "
         "movie film great story acting plot wonderful boring characters performance director "
         "don't isn't it's we're they've I'll you'd").split()
SYLLABLES = "ka to ri mu sen lo va pre ist ung tion ment er an qu ox zy bel dor fin gra".split()
EXTRA = ["café", "naïve", "Zürich", "façade", "señor", "Dvořák", "東京", "北京大学", "日本語",
         "映画", "😀", "🎉", "👍", "👩‍💻", "🇫🇷", "42", "1999", "3.14", "$100", "x2"]


def line(rng):
    words = []
    for _ in range(rng.randint(3, 16)):
        r = rng.random()
        if r < 0.55:
            w = rng.choice(WORDS)
        elif r < 0.9:  # a pseudo-word: the rare tail of a real text
            w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        else:
            w = rng.choice(EXTRA)
        if rng.random() < 0.1:
            w = w.capitalize()
        words.append(w)
    text = ""
    for i, w in enumerate(words):
        if i:
            text += "   " if rng.random() < 0.03 else " "
        text += w
        if rng.random() < 0.08:
            text += rng.choice([",", ";", ":", "!", "?", "..."])
    return text + rng.choice([".", ".", "!", "?", ""])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(1234)
    lines = [line(rng) for _ in range(800)]
    with open(os.path.join(OUT, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(lines, vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=SPECIAL,
                            show_progress=False)
    tok.save_model(OUT)
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"tokenizers": tokenizers.__version__, "vocab_size": VOCAB_SIZE,
                   "min_frequency": 2, "special_tokens": SPECIAL}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
