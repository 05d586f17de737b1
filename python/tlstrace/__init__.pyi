import os
from typing import Any, Dict, Optional, Sequence, Union

from ._native import (
    SCHEMA_VERSION as SCHEMA_VERSION,
    CaptureError as CaptureError,
    KeyLogError as KeyLogError,
    TlstraceError as TlstraceError,
    TrustStoreError as TrustStoreError,
)

Source = Union[str, os.PathLike[str], bytes, bytearray, memoryview]
Sources = Union[None, Source, Sequence[Source]]

class KeyLogWarning(UserWarning): ...

def explain(
    capture: Source,
    keylog: Sources = None,
    ca: Sources = None,
    *,
    server_ca: Sources = None,
    at: Union[None, str, int] = None,
    name: Optional[str] = None,
) -> Dict[str, Any]: ...
def explain_json(
    capture: Source,
    keylog: Sources = None,
    ca: Sources = None,
    *,
    server_ca: Sources = None,
    at: Union[None, str, int] = None,
    name: Optional[str] = None,
) -> str: ...
