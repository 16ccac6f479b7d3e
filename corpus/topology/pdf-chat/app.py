"""Chat with a folder of PDFs, and translate the answers."""
import sys

from langchain.chains import ConversationalRetrievalChain
from langchain_community.vectorstores import FAISS
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from transformers import pipeline


def build_store(chunks):
    embeddings = OpenAIEmbeddings(model="text-embedding-3-small")
    return FAISS.from_texts(texts=chunks, embedding=embeddings)


def build_chain(store):
    llm = ChatOpenAI(model="gpt-4o-mini")
    return ConversationalRetrievalChain.from_llm(llm=llm, retriever=store.as_retriever())


class Translator:
    def __init__(self):
        self.model = pipeline("translation_en_to_de", model="Helsinki-NLP/opus-mt-en-de")

    def _german(self, text):
        return self.model(text)[0]["translation_text"]

    def answer(self, chain, question):
        reply = chain.invoke({"question": question, "chat_history": []})["answer"]
        return self._german(reply)

    def banner(self):
        # a fixed string: no model before it
        return self._german("Ask me about your documents")


def main(chunks, question):
    store = build_store(chunks)
    chain = build_chain(store)
    print(Translator().answer(chain, question))


if __name__ == "__main__":
    main(sys.argv[2:], sys.argv[1])
