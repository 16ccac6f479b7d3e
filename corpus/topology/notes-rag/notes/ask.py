"""Answer a question from a folder of notes."""
import pathlib
import sys

from langchain_community.vectorstores import FAISS
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from notes.models import chat_model, embedder

PROMPT = ChatPromptTemplate.from_template(
    "Answer from these notes only.\n\n{context}\n\nQuestion: {question}"
)


def join(docs):
    return "\n---\n".join(d.page_content for d in docs)


def answer(question, folder):
    texts = [p.read_text() for p in pathlib.Path(folder).glob("*.md")]
    store = FAISS.from_texts(texts, embedder)
    chain = (
        {"context": store.as_retriever(search_kwargs={"k": 4}) | join, "question": RunnablePassthrough()}
        | PROMPT
        | chat_model()
        | StrOutputParser()
    )
    return chain.invoke(question)


if __name__ == "__main__":
    print(answer(sys.argv[1], sys.argv[2]))
