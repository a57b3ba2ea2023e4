variants: str
x86: bool

def supports(level: str) -> bool: ...
