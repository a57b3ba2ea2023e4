variants: str
x86_levels: bool

def supports(level: str) -> bool: ...
