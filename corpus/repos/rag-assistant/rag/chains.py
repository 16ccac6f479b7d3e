"""LangChain retrieval chain.

Documents are embedded with OpenAI embeddings into a FAISS index; the chat
model is GPT-4o-mini, or a local Llama 3 served by Ollama when the request
asks for local processing.
"""
from __future__ import annotations

from pathlib import Path

from langchain_community.vectorstores import FAISS
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI, OpenAIEmbeddings

EMBEDDING_MODEL = "text-embedding-3-small"
INDEX_DIR = Path("index")

PROMPT = ChatPromptTemplate.from_messages([
    ("system", "Use the context to answer. Say 'I don't know' when it is not there.\n\n{context}"),
    ("human", "{question}"),
])


def embeddings() -> OpenAIEmbeddings:
    return OpenAIEmbeddings(model=EMBEDDING_MODEL)


def build_index(texts: list[str], metadatas: list[dict] | None = None) -> FAISS:
    index = FAISS.from_texts(texts, embeddings(), metadatas=metadatas)
    index.save_local(str(INDEX_DIR))
    return index


def open_index() -> FAISS:
    """Reads the saved vector index (our documents, not a model)."""
    return FAISS.load_local(str(INDEX_DIR), embeddings(), allow_dangerous_deserialization=True)


def chat_model(local: bool = False):
    if local:
        return ChatOllama(model="llama3", temperature=0)
    return ChatOpenAI(model="gpt-4o-mini", temperature=0)


def _join(docs) -> str:
    return "\n\n".join(d.page_content for d in docs)


def rag_chain(index: FAISS, local: bool = False):
    retriever = index.as_retriever(search_kwargs={"k": 4})
    return (
        {"context": retriever | _join, "question": RunnablePassthrough()}
        | PROMPT
        | chat_model(local)
        | StrOutputParser()
    )


def retrieve(index: FAISS, question: str, k: int = 4) -> list[str]:
    return [d.page_content for d in index.similarity_search(question, k=k)]
