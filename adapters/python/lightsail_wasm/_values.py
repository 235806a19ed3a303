"""Component values converted for their types, whole values at a time.

wasmtime-py converts a value node by node through ctypes, with a C call for every string, field
name and option it lowers into memory Wasmtime owns, and another to free each one it lifts. Here a
converter is made once for each type `_typecache` derived:

- lowering writes the value with `struct` into an arena this thread owns, laid out as the C API's
  `wasmtime_component_val_t` tree (every node, array and string in one buffer, pointers into it),
  which the C API only reads: an export's arguments are passed from it as they are, and an
  import's answer is handed over with one `wasmtime_component_val_clone`, the C API's deep copy
  into memory Wasmtime owns. A value that does not fit grows the arena and is written again;
- lifting copies each array it meets out of Wasmtime's memory in one piece and reads it with
  `struct`, freeing nothing on the way: an export's result is freed whole with one
  `wasmtime_component_val_delete`, an import's arguments by Wasmtime.

The Python values are wasmtime-py's (records as `Record`, variants and tagged results as `Variant`,
options as the value or None), so the host's code and wasmtime-py's path take the same ones; an
export's result is lifted with its records as dicts, as the host hands them on.
`converters(ty)` is None for a type this module does not convert (flags, resources, the async
types), and the function then takes wasmtime-py's path."""

import struct
import threading
from collections import namedtuple
from ctypes import POINTER, addressof, byref, c_char, c_void_p, cast, sizeof, string_at

from wasmtime import _ffi as ffi
from wasmtime.component import Record, Variant
from wasmtime.component import _types as types
from wasmtime.component._enter import enter_wasm

_Val = ffi.wasmtime_component_val_t
_VALS = POINTER(_Val)

_BOOL = ffi.WASMTIME_COMPONENT_BOOL.value
_STRING = ffi.WASMTIME_COMPONENT_STRING.value
_LIST = ffi.WASMTIME_COMPONENT_LIST.value
_RECORD = ffi.WASMTIME_COMPONENT_RECORD.value
_TUPLE = ffi.WASMTIME_COMPONENT_TUPLE.value
_VARIANT = ffi.WASMTIME_COMPONENT_VARIANT.value
_ENUM = ffi.WASMTIME_COMPONENT_ENUM.value
_OPTION = ffi.WASMTIME_COMPONENT_OPTION.value
_RESULT = ffi.WASMTIME_COMPONENT_RESULT.value

# The C API's layout, as its header declares it (x86_64 and aarch64 alike): a value is its kind
# (a byte) and, 8 bytes in, a union of 24; a record's entry is its name (a byte vector: size and
# pointer) and the value; a variant's union holds the case's name and the payload's pointer, a
# result's whether it is `ok` and the payload's pointer, an option's the payload's pointer (null:
# none). Native byte order, sizes as written, no padding but the `x`s. `layout_holds()` checks
# these against wasmtime-py's declarations before any is used.
_VAL_SIZE = 32
_ENTRY_SIZE = 48
_ENTRY_VALUE = 16
_VECTOR = struct.Struct("=B7xQQ")  # string, list, record, tuple, enum: size and pointer
_VARIANT_CASE = struct.Struct("=B7xQQQ")
_RESULT_CASE = struct.Struct("=B7x?7xQ")
_POINTER = struct.Struct("=B7xQ")  # option
_NAME = struct.Struct("=QQ")  # a record entry's name
_U8 = 8  # where a u8's byte is in its value

# Scalars: (kind, the union's member, its `struct` code, the Python class wasmtime-py takes).
_SCALARS = {
    types.Bool: (_BOOL, "boolean", "?", bool),
    types.S8: (ffi.WASMTIME_COMPONENT_S8.value, "s8", "b", int),
    types.U8: (ffi.WASMTIME_COMPONENT_U8.value, "u8", "B", int),
    types.S16: (ffi.WASMTIME_COMPONENT_S16.value, "s16", "h", int),
    types.U16: (ffi.WASMTIME_COMPONENT_U16.value, "u16", "H", int),
    types.S32: (ffi.WASMTIME_COMPONENT_S32.value, "s32", "i", int),
    types.U32: (ffi.WASMTIME_COMPONENT_U32.value, "u32", "I", int),
    types.S64: (ffi.WASMTIME_COMPONENT_S64.value, "s64", "q", int),
    types.U64: (ffi.WASMTIME_COMPONENT_U64.value, "u64", "Q", int),
    types.F32: (ffi.WASMTIME_COMPONENT_F32.value, "f32", "f", float),
    types.F64: (ffi.WASMTIME_COMPONENT_F64.value, "f64", "d", float),
}


def layout_holds():
    """Whether wasmtime-py declares the C API's structures as the layout above has them."""
    union = ffi.wasmtime_component_valunion_t
    entry = ffi.wasmtime_component_valrecord_entry_t
    return (
        sizeof(_Val) == _VAL_SIZE
        and _Val.kind.size == 1
        and _Val.of.offset == 8
        and sizeof(entry) == _ENTRY_SIZE
        and entry.val.offset == _ENTRY_VALUE
        and sizeof(c_void_p) == 8
        and ffi.wasmtime_component_valresult_t.is_ok.size == 1
        and ffi.wasmtime_component_valresult_t.val.offset == 8
        and ffi.wasmtime_component_valvariant_t.val.offset == 16
        and all(getattr(union, member).offset == 0 for _, member, _, _ in _SCALARS.values())
    )


class Unsupported(Exception):
    """A type this module leaves to wasmtime-py."""


class _Full(Exception):
    """The arena ran out in the middle of a value: it grows, and the value is written again."""


class _Arena:
    """Memory a thread lowers values into: `top` is where the next node goes, `base` the address
    the C API is given. It only grows, so a bigger value is paid for once."""

    __slots__ = ("buffer", "view", "pinned", "base", "values", "size", "top")

    def __init__(self, size):
        self.buffer = bytearray(size)
        self.view = memoryview(self.buffer)
        # A ctypes view pins the bytearray (it cannot be resized while viewed) and gives its address.
        self.pinned = (c_char * size).from_buffer(self.buffer)
        self.base = addressof(self.pinned)
        self.values = cast(self.pinned, _VALS)
        self.size = size
        self.top = 0

    def take(self, size):
        """The offset of `size` bytes, 8-aligned."""
        at = self.top
        end = at + size
        if end > self.size:
            raise _Full
        self.top = (end + 7) & ~7
        return at


_threads = threading.local()


def _arena(which):
    """This thread's arena `which`: "args" for an export's arguments, "answer" for an import's,
    so that an import's answer never writes over the arguments of the call it runs in."""
    arena = getattr(_threads, which, None)
    if arena is None:
        arena = _Arena(16 * 1024)
        setattr(_threads, which, arena)
    return arena


def _write(which, lowers, values, names=None):
    """`values` lowered by `lowers` into this thread's arena `which`, side by side from its start;
    returns the arena, whose `values` points at them. A value refused names its parameter, where
    `names` gives them."""
    arena = _arena(which)
    while True:
        arena.top = 0
        try:
            at = arena.take(_VAL_SIZE * len(values))
            for i, (lower, value) in enumerate(zip(lowers, values)):
                try:
                    lower(value, arena, at)
                except (TypeError, ValueError) as refused:
                    if names is None:
                        raise
                    raise type(refused)(f"{names[i]}: {refused}") from None
                at += _VAL_SIZE
            return arena
        except _Full:
            arena = _Arena(arena.size * 2)
            setattr(_threads, which, arena)


class _Name:
    """A field's or case's name as the C API's bytes, encoded once; `address` is where they are.
    Made by `_name`, which keeps each for the life of the process, as the lowered values point
    at them."""

    __slots__ = ("data", "size", "address")

    def __init__(self, text):
        self.data = text.encode("utf-8")
        self.size = len(self.data)
        self.address = cast(self.data, c_void_p).value


_names = {}


def _name(text):
    """The `_Name` of `text`, made once (setdefault: two threads making one keep the same)."""
    name = _names.get(text)
    return name if name is not None else _names.setdefault(text, _Name(text))


def _scalar(ty):
    kind, member, code, cls = _SCALARS[type(ty)]
    layout = struct.Struct("=B7x" + code)
    # An integer's range, from its `struct` code (lower case: signed); others have none to check.
    bits = 8 * struct.calcsize(code)
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if code.islower() else (0, (1 << bits) - 1)
    ranged = cls is int

    def lower(value, arena, at):
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__} for {type(ty).__name__} type")
        if ranged and not low <= value <= high:
            raise ValueError(f"{value} is outside the range of a {member}, {low} to {high}")
        layout.pack_into(arena.buffer, at, kind, value)

    def lift(raw, at, plain):
        return layout.unpack_from(raw, at)[1]

    return lower, lift


def _string():
    def lower(value, arena, at):
        if not isinstance(value, str):
            raise TypeError("expected a string")
        data = value.encode("utf-8")
        n = len(data)
        where = arena.take(n)
        arena.view[where : where + n] = data
        _VECTOR.pack_into(arena.buffer, at, _STRING, n, arena.base + where)

    def lift(raw, at, plain):
        _, size, address = _VECTOR.unpack_from(raw, at)
        return string_at(address, size).decode("utf-8")

    return lower, lift


def _char():
    layout = struct.Struct("=B7xI")

    def lower(value, arena, at):
        if not isinstance(value, str) or len(value) != 1:
            raise TypeError("expected single-character string for Char type")
        layout.pack_into(arena.buffer, at, ffi.WASMTIME_COMPONENT_CHAR.value, ord(value))

    def lift(raw, at, plain):
        return chr(layout.unpack_from(raw, at)[1])

    return lower, lift


def _list(ty):
    lower_element, lift_element = converters_of(ty.element)
    is_bytes = ty._is_bytes()
    cls = bytes if is_bytes else list

    def lower(value, arena, at):
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__} value")
        n = len(value)
        where = arena.take(_VAL_SIZE * n)
        _VECTOR.pack_into(arena.buffer, at, _LIST, n, arena.base + where)
        for element in value:
            lower_element(element, arena, where)
            where += _VAL_SIZE

    def lift(raw, at, plain):
        _, n, address = _VECTOR.unpack_from(raw, at)
        if not n:
            return b"" if is_bytes else []
        elements = string_at(address, _VAL_SIZE * n)
        if is_bytes:
            return elements[_U8::_VAL_SIZE]  # each element a value whose union's first byte is the u8
        return [lift_element(elements, i * _VAL_SIZE, plain) for i in range(n)]

    return lower, lift


def _record(ty):
    fields = [(name, _name(name), *converters_of(field)) for name, field in ty.fields]
    n = len(fields)
    lifts = [(name, i * _ENTRY_SIZE + _ENTRY_VALUE, lift_field) for i, (name, _, _, lift_field) in enumerate(fields)]
    # The entries with their names written and their values zeroed, copied in as one piece.
    template = bytearray(_ENTRY_SIZE * n)
    for i, (_, encoded, _, _) in enumerate(fields):
        _NAME.pack_into(template, i * _ENTRY_SIZE, encoded.size, encoded.address)
    template = bytes(template)
    lowers = [(name, i * _ENTRY_SIZE + _ENTRY_VALUE, lower_field) for i, (name, _, lower_field, _) in enumerate(fields)]

    def lower(value, arena, at):
        where = arena.take(_ENTRY_SIZE * n)
        arena.view[where : where + _ENTRY_SIZE * n] = template
        _VECTOR.pack_into(arena.buffer, at, _RECORD, n, arena.base + where)
        for name, offset, lower_field in lowers:
            lower_field(getattr(value, name), arena, where + offset)

    def lift(raw, at, plain):
        entries = string_at(_VECTOR.unpack_from(raw, at)[2], _ENTRY_SIZE * n)
        if plain:
            return {name: lift_field(entries, offset, True) for name, offset, lift_field in lifts}
        value = Record()
        for name, offset, lift_field in lifts:
            setattr(value, name, lift_field(entries, offset, False))
        return value

    return lower, lift


def _tuple(ty):
    elements = [converters_of(element) for element in ty.elements]
    n = len(elements)

    def lower(value, arena, at):
        if not isinstance(value, tuple) or len(value) != n:
            raise TypeError(f"expected a tuple of {n}")
        where = arena.take(_VAL_SIZE * n)
        _VECTOR.pack_into(arena.buffer, at, _TUPLE, n, arena.base + where)
        for (lower_element, _), element in zip(elements, value):
            lower_element(element, arena, where)
            where += _VAL_SIZE

    def lift(raw, at, plain):
        values = string_at(_VECTOR.unpack_from(raw, at)[2], _VAL_SIZE * n)
        return tuple(lift_element(values, i * _VAL_SIZE, plain) for i, (_, lift_element) in enumerate(elements))

    return lower, lift


def _boxed(lower_payload, value, arena):
    """The address of `value` lowered into a value of its own, for the pointer an option, result or
    variant holds."""
    where = arena.take(_VAL_SIZE)
    lower_payload(value, arena, where)
    return arena.base + where


# One case of a variant, option or result: its payload's converters (None: it has none) and the
# Python classes wasmtime-py takes for it.
_Case = namedtuple("_Case", "name encoded converters classes")


class _Cases:
    """A variant's, option's or result's cases, chosen as wasmtime-py chooses them: by the
    `Variant`'s tag where the type is tagged, else the first case whose classes the value has."""

    def __init__(self, ty):
        self.tagged = ty._tagged()
        self.cases = []
        for name, payload in ty._cases():
            classes = set()
            if payload is not None:
                payload.add_classes(classes)
            converters = None if payload is None else converters_of(payload)
            self.cases.append(_Case(name, _name(name), converters, tuple(classes)))
        self.by_name = {case.name: case for case in self.cases}
        self.by_encoded = {case.encoded.data: case for case in self.cases}

    def lower(self, value, arena):
        """The chosen case and the address of its payload (0, null, where it has none)."""
        if self.tagged:
            if not isinstance(value, Variant):
                raise TypeError("expected Variant type")
            case = self.by_name.get(value.tag)
            if case is None:
                raise ValueError("value not valid for this variant")
            payload = value.payload
        else:
            payload = value
            for case in self.cases:
                if (value is None) if case.converters is None else isinstance(value, case.classes):
                    break
            else:
                raise ValueError("value not valid for this variant")
        if case.converters is None:
            return case, 0
        return case, _boxed(case.converters[0], payload, arena)

    def lift(self, case, payload, plain):
        """The Python value of `case` with its payload at the address `payload`."""
        value = None if case.converters is None else case.converters[1](string_at(payload, _VAL_SIZE), 0, plain)
        return Variant(case.name, value) if self.tagged else value


def _variant(ty):
    cases = _Cases(ty)

    def lower(value, arena, at):
        case, payload = cases.lower(value, arena)
        _VARIANT_CASE.pack_into(arena.buffer, at, _VARIANT, case.encoded.size, case.encoded.address, payload)

    def lift(raw, at, plain):
        _, size, name, payload = _VARIANT_CASE.unpack_from(raw, at)
        return cases.lift(cases.by_encoded[string_at(name, size)], payload, plain)

    return lower, lift


def _option(ty):
    cases = _Cases(ty)
    none, some = cases.cases
    lower_some = some.converters[0]

    def lower(value, arena, at):
        if cases.tagged:
            payload = cases.lower(value, arena)[1]
        elif value is None:
            payload = 0
        elif isinstance(value, some.classes):
            payload = _boxed(lower_some, value, arena)
        else:
            raise ValueError("value not valid for this variant")
        _POINTER.pack_into(arena.buffer, at, _OPTION, payload)

    def lift(raw, at, plain):
        payload = _POINTER.unpack_from(raw, at)[1]
        return cases.lift(some if payload else none, payload, plain)

    return lower, lift


def _result(ty):
    cases = _Cases(ty)
    ok, err = cases.cases

    def lower(value, arena, at):
        case, payload = cases.lower(value, arena)
        _RESULT_CASE.pack_into(arena.buffer, at, _RESULT, case is ok, payload)

    def lift(raw, at, plain):
        _, is_ok, payload = _RESULT_CASE.unpack_from(raw, at)
        return cases.lift(ok if is_ok else err, payload, plain)

    return lower, lift


def _enum(ty):
    names = {name: _name(name) for name in ty.names}

    def lower(value, arena, at):
        if not isinstance(value, str):
            raise TypeError("expected str type")
        name = names.get(value)
        if name is None:
            raise ValueError(f"{value!r} is not a case of this enum")
        _VECTOR.pack_into(arena.buffer, at, _ENUM, name.size, name.address)

    def lift(raw, at, plain):
        _, size, address = _VECTOR.unpack_from(raw, at)
        return string_at(address, size).decode("utf-8")

    return lower, lift


# The converters' makers, by the kind of type (scalars by `_SCALARS`).
_MAKERS = (
    (types.String, lambda _: _string()),
    (types.Char, lambda _: _char()),
    (types.ListType, _list),
    (types.RecordType, _record),
    (types.TupleType, _tuple),
    (types.OptionType, _option),
    (types.ResultType, _result),
    (types.VariantType, _variant),
    (types.EnumType, _enum),
)


def _make(ty):
    if type(ty) in _SCALARS:
        return _scalar(ty)
    for kind, make in _MAKERS:
        if isinstance(ty, kind):
            return make(ty)
    raise Unsupported(type(ty).__name__)


def converters_of(ty):
    """`(lower, lift)` for `ty`, made once and kept on it; raises Unsupported."""
    made = getattr(ty, "_converters", None)
    if made is None:
        made = ty._converters = _make(ty)
    return made


def converters(ty):
    """`(lower, lift)` for `ty`, or None where wasmtime-py's path converts it.

    `lower(value, arena, at)` writes `value` at the offset `at` of an arena (taking from it the
    room its arrays and strings need); `lift(raw, at, plain)` reads the value at the offset `at`
    of the bytes `raw` (a copy of the array it is in), with its records as dicts if `plain`."""
    try:
        return converters_of(ty)
    except Unsupported:
        return None


def lower_owned(lower, value, dst):
    """`value` lowered into `dst` (a pointer to a value Wasmtime will free), with one deep copy."""
    ffi.wasmtime_component_val_clone(_write("answer", (lower,), (value,)).values, dst)


def lift_args(lifts, args, n):
    """The `n` values at `args` (the C API's pointer to an import's arguments), lifted by `lifts`."""
    raw = string_at(args, _VAL_SIZE * n)
    return [lift(raw, i * _VAL_SIZE, False) for i, lift in enumerate(lifts)]


def lift_value(lift, c, plain=False):
    """The value at `c` (a `wasmtime_component_val_t`) lifted by `lift`."""
    return lift(string_at(addressof(c), _VAL_SIZE), 0, plain)


def call(func, store, names, lowers, params, lift):
    """Calls the export `func` (a wasmtime-py Func) with `params` (its parameters `names`) lowered
    by `lowers`, and returns its result lifted by `lift` with its records as dicts (None where it
    has none); the result is freed in one call."""
    if len(params) != len(lowers):
        raise TypeError(f"wrong number of parameters provided: given {len(params)}, expected {len(lowers)}")
    args = _write("args", lowers, params, names).values
    result = _Val()
    has_result = 0 if lift is None else 1
    enter_wasm(
        lambda: ffi.wasmtime_component_func_call(
            byref(func._func), store._context(), args, len(params), byref(result), has_result
        )
    )
    if lift is None:
        return None
    try:
        return lift_value(lift, result, plain=True)
    finally:
        ffi.wasmtime_component_val_delete(byref(result))
