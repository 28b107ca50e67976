"""The results layer: the one reader and writer of result folders (`ResultFolder`).

Above the model and config, below everything that runs or reads results: experiments
write folders through it, analyses and figures read them through it, and nothing else
opens a result file.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "chunks": ["chunk_name", "clean_partial", "completed_chunks"],
        "folder": ["InMemoryResults", "ResultFolder", "Results", "open_results", "writing"],
        "tables": ["write_table"],
        "manifest": ["KINDS", "Manifest", "now", "runs_manifest", "versions"],
    },
)
