"""Give every note a title; the titles go to a file nobody reads back."""
import json
import pathlib
import sys

from langchain_core.prompts import ChatPromptTemplate

from notes.models import chat_model

TITLE = ChatPromptTemplate.from_template("A five-word title for:\n{note}")


def main(folder):
    titler = TITLE | chat_model(temperature=0.0)
    titles = {p.name: titler.invoke({"note": p.read_text()}).content for p in pathlib.Path(folder).glob("*.md")}
    pathlib.Path("titles.json").write_text(json.dumps(titles))


if __name__ == "__main__":
    main(sys.argv[1])
