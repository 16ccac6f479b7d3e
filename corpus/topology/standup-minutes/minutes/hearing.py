"""Speech to text for recorded stand-ups."""
from transformers import pipeline

_asr = pipeline("automatic-speech-recognition", model="openai/whisper-small")


def transcribe(audio_path):
    """Return the plain transcript of one recording."""
    out = _asr(audio_path, chunk_length_s=30)
    return out["text"].strip()
