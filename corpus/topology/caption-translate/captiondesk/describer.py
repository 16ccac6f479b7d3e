"""Describe catalogue photos in German: caption in English, then translate."""
from dataclasses import dataclass

from PIL import Image
from transformers import pipeline

CAPTION_MODEL = "Salesforce/blip-image-captioning-base"
TRANSLATION_MODEL = "Helsinki-NLP/opus-mt-en-de"


@dataclass
class Description:
    source: str
    caption_en: str
    caption_de: str


class ImageDescriber:
    """Keeps both models in memory so a batch only pays the load once."""

    def __init__(self, device: int = -1, max_new_tokens: int = 40):
        self.captioner = pipeline(
            "image-to-text", model=CAPTION_MODEL, device=device
        )
        self.translator = pipeline(
            "translation_en_to_de", model=TRANSLATION_MODEL, device=device
        )
        self.max_new_tokens = max_new_tokens

    @staticmethod
    def _tidy(text: str) -> str:
        text = " ".join(text.split())
        if text.startswith("arafed "):
            text = text[len("arafed "):]
        return text[:1].upper() + text[1:]

    def describe(self, path: str) -> Description:
        image = Image.open(path).convert("RGB")
        captions = self.captioner(image, max_new_tokens=self.max_new_tokens)
        english = self._tidy(captions[0]["generated_text"])
        translated = self.translator(english, max_length=128)
        german = translated[0]["translation_text"]
        return Description(source=path, caption_en=english, caption_de=german)

    def describe_many(self, paths):
        results = []
        for path in paths:
            try:
                results.append(self.describe(path))
            except OSError as err:
                print(f"skipping {path}: {err}")
        return results
