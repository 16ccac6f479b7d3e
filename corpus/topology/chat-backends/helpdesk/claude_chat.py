"""Answers from Anthropic's hosted chat model."""
import anthropic

client = anthropic.Anthropic()


def answer(question):
    message = client.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=512,
        messages=[{"role": "user", "content": question}],
    )
    return message.content[0].text
