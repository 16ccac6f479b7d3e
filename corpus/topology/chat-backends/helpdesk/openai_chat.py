"""Answers from OpenAI's hosted chat model."""
from openai import OpenAI

client = OpenAI()


def answer(question):
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content
