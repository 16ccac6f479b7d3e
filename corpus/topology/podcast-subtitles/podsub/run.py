"""Transcribe English podcast episodes and write French subtitles text.

The speech recogniser is chosen in config.yaml (asr.engine); the translator
is always the same Marian model.
"""
import sys
from pathlib import Path

import whisper
from transformers import MarianMTModel, MarianTokenizer, pipeline

from podsub.config import load_config
from podsub.output import split_sentences, write_text

TRANSLATOR = "Helsinki-NLP/opus-mt-en-fr"


def main(config_path: str = "config.yaml") -> None:
    cfg = load_config(config_path)
    engine = cfg["asr"]["engine"]
    match engine:
        case "whisper":
            asr_model = whisper.load_model(cfg["asr"].get("size", "small"))
        case "wav2vec2":
            asr_pipe = pipeline(
                "automatic-speech-recognition",
                model="facebook/wav2vec2-base-960h",
                chunk_length_s=30,
            )
        case other:
            sys.exit(f"asr.engine must be whisper or wav2vec2, not {other!r}")

    tokenizer = MarianTokenizer.from_pretrained(TRANSLATOR)
    translator = MarianMTModel.from_pretrained(TRANSLATOR).eval()

    out_dir = Path(cfg["output_dir"])
    for episode in sorted(Path(cfg["episodes_dir"]).glob("*.mp3")):
        if engine == "whisper":
            text = asr_model.transcribe(str(episode), language="en")["text"]
        else:
            text = asr_pipe(str(episode))["text"].lower()
        sentences = split_sentences(text)
        french = []
        for start in range(0, len(sentences), 8):
            batch = tokenizer(sentences[start:start + 8], return_tensors="pt",
                              padding=True, truncation=True)
            generated = translator.generate(**batch, num_beams=4, max_new_tokens=256)
            french.extend(tokenizer.batch_decode(generated, skip_special_tokens=True))
        write_text(out_dir / f"{episode.stem}.fr.txt", french)
        print(f"{episode.name}: {len(french)} sentences")


if __name__ == "__main__":
    main(*sys.argv[1:2])
