# SPDX-License-Identifier: MIT
import os
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

_Path = Union[str, bytes, os.PathLike]

PAGE_WRITABLE: int
PAGE_USER: int
PAGE_NX: int
PAGE_GLOBAL: int
LOG_FLAG_NEWLINE: int
LOG_FLAG_CONT: int
LOG_FLAG_TRUNCATED: int
LOG_FLAG_DATALESS: int

class Error(Exception):
    code: Optional[str]
    address: Optional[int]
    file_offset: Optional[int]
    errno: int

class NoMemoryError(Error): ...
class SystemCallError(Error): ...
class CorruptError(Error): ...
class NoDataError(Error): ...
class UnsupportedError(Error): ...
class NotFoundError(Error): ...
class InvalidError(Error): ...

class Mapping(NamedTuple):
    vaddr: int
    paddr: int
    size: int
    flags: int
    page_sizes: int

class Step(NamedTuple):
    level: str
    table: int
    index: int
    entry_addr: int
    entry: int
    size: int

class Translation(NamedTuple):
    vaddr: int
    paddr: int
    page_size: int
    flags: int
    levels: Tuple[Step, ...]

class Record(NamedTuple):
    seq: int
    ts_nsec: Optional[int]
    level: Optional[int]
    facility: Optional[int]
    flags: int
    caller_id: Optional[int]
    text: bytes
    dict: Optional[bytes]

class LogIterator(Iterator[Record]):
    layout: str
    def __next__(self) -> Record: ...

class Dump:
    path: str
    format: str
    arch: str
    page_size: int
    word_size: int
    byte_order: str
    segment_count: int
    closed: bool
    def close(self) -> None: ...
    def __enter__(self) -> "Dump": ...
    def __exit__(self, *exc: Any) -> None: ...
    def info(self) -> Dict[str, Any]: ...
    def read(self, addr: int, size: int, phys: bool = ..., zero_fill: bool = ...) -> bytes: ...
    def readinto(self, addr: int, buffer: Any, phys: bool = ..., zero_fill: bool = ...) -> int: ...
    def vtop(self, va: int) -> Translation: ...
    def maps(self, start: int = ..., end: int = ...) -> Iterator[Mapping]: ...
    def dmesg(self) -> LogIterator: ...
    def convert(self, out: _Path, to: str = ..., compress: str = ..., threads: int = ...,
                level: int = ..., flatten: bool = ..., exclude_zero: bool = ...,
                paging: bool = ...,
                progress: Optional[Callable[[int, int], Any]] = ...) -> Dict[str, int]: ...
    def notes(self) -> List[Tuple[str, int, bytes, str, int]]: ...
    def phys_ranges(self) -> List[Tuple[int, int, str]]: ...
    def segments(self) -> List[Tuple[int, int, int, int, int]]: ...
    def vmcoreinfo(self) -> Optional[Dict[str, str]]: ...
    def symbol(self, name: str) -> Optional[int]: ...

def open(paths: Union[_Path, Sequence[_Path]], format: Optional[str] = ...,
         arch: Optional[str] = ..., raw_base: Optional[int] = ...,
         page_size: int = ..., no_map: bool = ...,
         kernel: Optional[_Path] = ...) -> Dump: ...
def formats() -> List[Tuple[str, str]]: ...
