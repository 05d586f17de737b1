from typing import List, Optional, Tuple, Union

SCHEMA_VERSION: int

class TlstraceError(ValueError): ...
class CaptureError(TlstraceError): ...
class KeyLogError(TlstraceError): ...
class TrustStoreError(TlstraceError): ...

def explain_json(
    capture: Union[str, bytes],
    name: Optional[str] = None,
    keylogs: List[Union[str, bytes]] = ...,
    ca: List[Union[str, bytes]] = ...,
    server_ca: List[Union[str, bytes]] = ...,
    at: Optional[str] = None,
) -> Tuple[str, List[str]]: ...
