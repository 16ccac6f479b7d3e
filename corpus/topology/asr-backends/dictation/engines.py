"""Two speech recognisers with one interface."""
import whisper
from faster_whisper import WhisperModel


class ReferenceWhisper:
    def __init__(self, size="base"):
        self.model = whisper.load_model(size)

    def transcribe(self, path):
        return self.model.transcribe(path)["text"]


class FastWhisper:
    def __init__(self, size="small"):
        self.model = WhisperModel(size, compute_type="int8")

    def transcribe(self, path):
        segments, _ = self.model.transcribe(path)
        return " ".join(s.text for s in segments)
