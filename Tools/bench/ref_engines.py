"""The reference engines llama_bench.py drives: llama.cpp (llama-cpp-python) and ik_llama.cpp (ik-llama-cpp-python)."""
# Each adapter loads a model and a context and offers the four calls a llama-bench style measurement needs:
# decode a run of tokens at a position, keep only the first `pos` cached tokens, the vocabulary size, free.
# The two bindings differ: llama-cpp-python follows today's llama.cpp API (memory object, positions taken
# from the cache); ik_llama.cpp keeps the older one (llama_kv_cache_seq_rm, explicit pos_0), and its Python
# package binds only part of it, so the missing calls are bound here from its own shared library.
from __future__ import annotations

import ctypes
import os
import sys


class LlamaCpp:
    """llama.cpp through llama-cpp-python's low-level API, with its default context settings (F16 KV cache,
    flash attention "auto", Q4_K repacked at load into its 8x8 CPU layout)."""

    name = "llama.cpp"

    def __init__(self, model: str, threads: int, n_ctx: int, n_batch: int, n_ubatch: int):
        import llama_cpp as L
        self.L = L
        self.version = L.__version__
        self._quiet = L.llama_log_callback(lambda level, text, data: None)  # kept alive: llama.cpp holds the pointer
        L.llama_log_set(self._quiet, None)
        L.llama_backend_init()
        self.model = L.llama_model_load_from_file(model.encode(), L.llama_model_default_params())
        if not self.model:
            raise SystemExit(f"llama.cpp could not load {model}.")
        cp = L.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, n_batch, n_ubatch
        cp.n_threads = cp.n_threads_batch = threads
        cp.no_perf = True
        self.ctx = L.llama_init_from_model(self.model, cp)
        if not self.ctx:
            raise SystemExit("llama.cpp could not create a context.")
        self.mem = L.llama_get_memory(self.ctx)
        self.n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(self.model))
        self.settings = {"n_ctx": n_ctx, "n_batch": n_batch, "n_ubatch": n_ubatch, "flash_attn": "auto", "kv": "f16"}

    def decode(self, tokens: list[int], pos: int) -> None:
        """Appends `tokens` at positions pos, pos+1, ... (llama.cpp takes them from the cache, which holds pos tokens)."""
        L = self.L
        arr = (L.llama_token * len(tokens))(*tokens)
        if L.llama_decode(self.ctx, L.llama_batch_get_one(arr, len(tokens))) != 0:
            raise SystemExit("llama.cpp failed to decode.")

    def synchronize(self) -> None:
        self.L.llama_synchronize(self.ctx)

    def truncate(self, pos: int) -> None:
        """Keeps the first `pos` cached tokens."""
        if pos == 0:
            self.L.llama_memory_clear(self.mem, True)
        else:
            self.L.llama_memory_seq_rm(self.mem, 0, pos, -1)

    def free(self) -> None:
        self.L.llama_free(self.ctx)
        self.L.llama_model_free(self.model)


class IkLlamaCpp:
    """ik_llama.cpp through ik-llama-cpp-python, with its best CPU settings for MLA models as its llama-bench takes
    them: flash attention on, MLA mode 3, fused MoE up/gate, run-time repacking (-rtr 1, which turns mmap off and
    with it -thp, a way of mmapping the file), transparent huge pages requested (-thp 1) all the same."""

    name = "ik_llama.cpp"

    def __init__(self, model: str, threads: int, n_ctx: int, n_batch: int, n_ubatch: int):
        import ik_llama_cpp
        from ik_llama_cpp import _ctypes_api as L
        self.L = L
        self.version = ik_llama_cpp.__version__
        lib = L._lib
        # Calls the package does not bind (signatures from its vendored include/llama.h).
        self._seq_rm = lib.llama_kv_cache_seq_rm
        self._seq_rm.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
        self._seq_rm.restype = ctypes.c_bool
        self._sync = lib.llama_synchronize
        self._sync.argtypes = [ctypes.c_void_p]
        self._sync.restype = None
        self._get_one = lib.llama_batch_get_one
        self._get_one.argtypes = [ctypes.POINTER(L.llama_token), ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
        self._get_one.restype = L.llama_batch
        log_cb = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
        self._quiet = log_cb(lambda level, text, data: None)  # kept alive: the library holds the pointer
        lib.llama_log_set.argtypes = [log_cb, ctypes.c_void_p]
        lib.llama_log_set.restype = None
        lib.llama_log_set(self._quiet, None)
        L.llama_backend_init()
        mp = L.llama_model_default_params()
        mp.mla = 3
        mp.flash_attn = True
        mp.repack_tensors = True   # -rtr 1
        mp.use_mmap = False        # as -rtr sets it (the loader forces it too)
        mp.use_thp = True          # -thp 1
        mp.max_ctx_size = n_ctx
        mp.n_ubatch = n_ubatch
        self.model = L.llama_model_load_from_file(model.encode(), mp)
        if not self.model:
            raise SystemExit(f"ik_llama.cpp could not load {model}.")
        cp = L.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, n_batch, n_ubatch
        cp.n_threads = cp.n_threads_batch = threads
        cp.flash_attn = True
        cp.mla_attn = 3
        cp.fused_moe_up_gate = True
        self.ctx = L.llama_init_from_model(self.model, cp)
        if not self.ctx:
            raise SystemExit("ik_llama.cpp could not create a context.")
        self.n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(self.model))
        self.settings = {"n_ctx": n_ctx, "n_batch": n_batch, "n_ubatch": n_ubatch, "flash_attn": True, "mla": 3,
                         "fused_moe_up_gate": True, "run_time_repack": True, "use_mmap": False, "use_thp": True, "kv": "f16",
                         "build": _ik_build()}

    def decode(self, tokens: list[int], pos: int) -> None:
        """Appends `tokens` at positions pos, pos+1, ...."""
        L = self.L
        arr = (L.llama_token * len(tokens))(*tokens)
        if L.llama_decode(self.ctx, self._get_one(arr, len(tokens), pos, 0)) != 0:
            raise SystemExit("ik_llama.cpp failed to decode.")

    def synchronize(self) -> None:
        self._sync(self.ctx)

    def truncate(self, pos: int) -> None:
        """Keeps the first `pos` cached tokens."""
        if pos == 0:
            self.L.llama_kv_cache_clear(self.ctx)
        else:
            self._seq_rm(self.ctx, 0, pos, -1)

    def free(self) -> None:
        self.L.llama_free(self.ctx)
        self.L.llama_free_model(self.model)


def _ik_build() -> str:
    """How ik_llama.cpp came into this venv: scripts/refvenv's note ("source <cmake flags>" or "wheel"), else the
    installed wheel's platform tag (PyPI's wheels are manylinux; one pip built from the source is plain linux)."""
    try:
        with open(os.path.join(sys.prefix, ".ik-build")) as f:
            return f.read().strip()
    except OSError:
        pass
    from importlib.metadata import distribution
    tags = [l.split(":", 1)[1].strip() for l in (distribution("ik-llama-cpp-python").read_text("WHEEL") or "").splitlines()
            if l.startswith("Tag:")]
    return ("wheel" if any("manylinux" in t for t in tags) else "source") + f" ({', '.join(tags)})"


ENGINES = {"llama.cpp": LlamaCpp, "ik_llama.cpp": IkLlamaCpp}
