"""Two embedding back-ends behind one factory: a Hugging Face encoder run
in-process, or a model served by a local Ollama daemon."""
import requests
from transformers import AutoModel, AutoTokenizer

_LOADED = {}


class LocalEncoder:
    def __init__(self, name="intfloat/e5-small-v2"):
        if name not in _LOADED:
            tok = AutoTokenizer.from_pretrained(name)
            net = AutoModel.from_pretrained(name).eval()
            _LOADED[name] = (tok, net)
        self.name = name

    def embed(self, texts):
        tok, net = _LOADED[self.name]
        batch = tok(texts, padding=True, return_tensors="pt")
        return net(**batch).last_hidden_state.mean(dim=1)


class DaemonEncoder:
    def __init__(self, name, host="http://localhost:11434"):
        self.name = name
        self.host = host

    def embed(self, texts):
        out = []
        for t in texts:
            r = requests.post(f"{self.host}/api/embeddings", json={"model": self.name, "prompt": t})
            out.append(r.json()["embedding"])
        return out


def pick_encoder(name):
    """A Hugging Face id has a slash; anything else is a daemon tag."""
    if "/" in name:
        return LocalEncoder(name)
    return DaemonEncoder(name)


def both(name):
    # built one after the other: not a choice between them
    first = LocalEncoder(name)
    second = DaemonEncoder(name)
    return first, second
