"""Answer questions over a set of passages: retrieve with an embedder, then generate.

Generation runs either on a small local instruct model or on a hosted
OpenAI model, chosen once when the Answerer is built.
"""
from openai import OpenAI
from sentence_transformers import SentenceTransformer, util
from transformers import AutoModelForCausalLM, AutoTokenizer

EMBEDDER = "BAAI/bge-small-en-v1.5"
LOCAL_LLM = "Qwen/Qwen2.5-0.5B-Instruct"
HOSTED_LLM = "gpt-4o-mini"
SYSTEM = "Answer only from the context. Say 'not in the notes' if it is missing."


class Answerer:
    def __init__(self, passages: list[str], backend: str = "local"):
        if backend not in ("local", "openai"):
            raise ValueError(f"unknown backend {backend!r}")
        self.passages = passages
        self.backend = backend
        self.embedder = SentenceTransformer(EMBEDDER)
        self.passage_vecs = self.embedder.encode(
            passages, normalize_embeddings=True, convert_to_tensor=True
        )
        if backend == "openai":
            self.client = OpenAI()
        else:
            self.tokenizer = AutoTokenizer.from_pretrained(LOCAL_LLM)
            self.llm = AutoModelForCausalLM.from_pretrained(LOCAL_LLM, torch_dtype="auto")

    def answer(self, question: str, k: int = 4, max_new_tokens: int = 256) -> str:
        query_vec = self.embedder.encode(
            question, normalize_embeddings=True, convert_to_tensor=True
        )
        hits = util.semantic_search(query_vec, self.passage_vecs, top_k=k)[0]
        context = "\n\n".join(self.passages[hit["corpus_id"]] for hit in hits)
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"},
        ]
        if self.backend == "openai":
            response = self.client.chat.completions.create(
                model=HOSTED_LLM, messages=messages, temperature=0
            )
            return response.choices[0].message.content.strip()
        input_ids = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        )
        output = self.llm.generate(input_ids, max_new_tokens=max_new_tokens, do_sample=False)
        return self.tokenizer.decode(output[0, input_ids.shape[-1]:], skip_special_tokens=True)
