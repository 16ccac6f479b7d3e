"""Ask the configured provider, then flag answers that sound negative."""
import os
import sys

from transformers import pipeline

from helpdesk import claude_chat, openai_chat

PROVIDERS = {
    "openai": openai_chat.answer,
    "anthropic": claude_chat.answer,
}

tone = pipeline("sentiment-analysis", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")


def provider():
    return PROVIDERS[os.environ.get("HELPDESK_PROVIDER", "openai")]


def main(question):
    ask = provider()
    reply = ask(question)
    verdict = tone(reply)[0]
    print(reply, "(check tone)" if verdict["label"] == "NEGATIVE" else "")


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]))
