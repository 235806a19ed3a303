"""Component values converted for their types, whole values at a time.

wasmtime-py converts a value node by node through ctypes, with a C call for every string, field
name and option it lowers into memory Wasmtime owns, and another to free each one it lifts. Here a
converter is made once for each type `_typecache` derived:

- lowering writes the value into memory this process owns (strings point at the encoded bytes,
  field and case names are encoded once), which the C API only reads: an export's arguments are
  passed as they are, and an import's answer is handed over with one `wasmtime_component_val_clone`,
  the C API's deep copy into memory Wasmtime owns;
- lifting reads the value where Wasmtime wrote it and frees nothing on the way: an export's result
  is freed whole with one `wasmtime_component_val_delete`, an import's arguments by Wasmtime.

The Python values are wasmtime-py's (records as `Record`, variants and tagged results as `Variant`,
options as the value or None), so the host's code and wasmtime-py's path take the same ones.
`converters(ty)` is None for a type this module does not convert (flags, resources, the async
types), and the function then takes wasmtime-py's path."""

from collections import namedtuple
from ctypes import POINTER, byref, c_uint8, cast, pointer, string_at

from wasmtime import _ffi as ffi
from wasmtime.component import Record, Variant
from wasmtime.component import _types as types
from wasmtime.component._enter import enter_wasm

_Val = ffi.wasmtime_component_val_t
_Entry = ffi.wasmtime_component_valrecord_entry_t
_Bytes = ffi.wasm_byte_vec_t
_BYTE = POINTER(c_uint8)

_BOOL = ffi.WASMTIME_COMPONENT_BOOL.value
_STRING = ffi.WASMTIME_COMPONENT_STRING.value
_LIST = ffi.WASMTIME_COMPONENT_LIST.value
_RECORD = ffi.WASMTIME_COMPONENT_RECORD.value
_TUPLE = ffi.WASMTIME_COMPONENT_TUPLE.value
_VARIANT = ffi.WASMTIME_COMPONENT_VARIANT.value
_ENUM = ffi.WASMTIME_COMPONENT_ENUM.value
_OPTION = ffi.WASMTIME_COMPONENT_OPTION.value
_RESULT = ffi.WASMTIME_COMPONENT_RESULT.value

# Scalars: (kind, the union's member, the Python class wasmtime-py takes).
_SCALARS = {
    types.Bool: (_BOOL, "boolean", bool),
    types.S8: (ffi.WASMTIME_COMPONENT_S8.value, "s8", int),
    types.U8: (ffi.WASMTIME_COMPONENT_U8.value, "u8", int),
    types.S16: (ffi.WASMTIME_COMPONENT_S16.value, "s16", int),
    types.U16: (ffi.WASMTIME_COMPONENT_U16.value, "u16", int),
    types.S32: (ffi.WASMTIME_COMPONENT_S32.value, "s32", int),
    types.U32: (ffi.WASMTIME_COMPONENT_U32.value, "u32", int),
    types.S64: (ffi.WASMTIME_COMPONENT_S64.value, "s64", int),
    types.U64: (ffi.WASMTIME_COMPONENT_U64.value, "u64", int),
    types.F32: (ffi.WASMTIME_COMPONENT_F32.value, "f32", float),
    types.F64: (ffi.WASMTIME_COMPONENT_F64.value, "f64", float),
}


class Unsupported(Exception):
    """A type this module leaves to wasmtime-py."""


class _Name:
    """A field's or case's name as the C API's bytes, encoded once: `vec` points into `data`."""

    __slots__ = ("data", "vec")

    def __init__(self, text):
        self.data = text.encode("utf-8")
        self.vec = _Bytes(len(self.data), cast(self.data, _BYTE))


def _scalar(ty):
    kind, member, cls = _SCALARS[type(ty)]

    def lower(value, c, keep):
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__} for {type(ty).__name__} type")
        c.kind = kind
        setattr(c.of, member, value)

    def lift(c):
        return cls(getattr(c.of, member))

    return lower, lift


def _string():
    def lower(value, c, keep):
        if not isinstance(value, str):
            raise TypeError("expected a string")
        data = value.encode("utf-8")
        keep.append(data)
        c.kind = _STRING
        c.of.string = _Bytes(len(data), cast(data, _BYTE))

    def lift(c):
        s = c.of.string
        return string_at(s.data, s.size).decode("utf-8")

    return lower, lift


def _char():
    def lower(value, c, keep):
        if not isinstance(value, str) or len(value) != 1:
            raise TypeError("expected single-character string for Char type")
        c.kind = ffi.WASMTIME_COMPONENT_CHAR.value
        c.of.character = ord(value)

    def lift(c):
        return chr(c.of.character)

    return lower, lift


def _list(ty):
    lower_element, lift_element = converters_of(ty.element)
    is_bytes = ty._is_bytes()
    cls = bytes if is_bytes else list

    def lower(value, c, keep):
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__} value")
        n = len(value)
        elements = (_Val * n)()
        keep.append(elements)
        for i in range(n):
            lower_element(value[i], elements[i], keep)
        c.kind = _LIST
        c.of.list.size = n
        c.of.list.data = elements

    def lift(c):
        v = c.of.list
        data = v.data
        values = [lift_element(data[i]) for i in range(v.size)]
        return bytes(values) if is_bytes else values

    return lower, lift


def _record(ty):
    fields = [(name, _Name(name), *converters_of(field)) for name, field in ty.fields]
    n = len(fields)

    def lower(value, c, keep):
        entries = (_Entry * n)()
        keep.append(entries)
        for entry, (name, encoded, lower_field, _) in zip(entries, fields):
            entry.name = encoded.vec
            lower_field(getattr(value, name), entry.val, keep)
        c.kind = _RECORD
        c.of.record.size = n
        c.of.record.data = entries

    def lift(c):
        value = Record()
        data = c.of.record.data
        for i, (name, _, _, lift_field) in enumerate(fields):
            setattr(value, name, lift_field(data[i].val))
        return value

    return lower, lift


def _tuple(ty):
    elements = [converters_of(element) for element in ty.elements]
    n = len(elements)

    def lower(value, c, keep):
        if not isinstance(value, tuple) or len(value) != n:
            raise TypeError(f"expected a tuple of {n}")
        vals = (_Val * n)()
        keep.append(vals)
        for i, (lower_element, _) in enumerate(elements):
            lower_element(value[i], vals[i], keep)
        c.kind = _TUPLE
        c.of.tuple.size = n
        c.of.tuple.data = vals

    def lift(c):
        data = c.of.tuple.data
        return tuple(lift_element(data[i]) for i, (_, lift_element) in enumerate(elements))

    return lower, lift


def _boxed(lower_payload, value, keep):
    """A payload in a value of its own, for the pointer an option, result or variant holds."""
    box = _Val()
    keep.append(box)
    lower_payload(value, box, keep)
    return pointer(box)


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
            self.cases.append(_Case(name, _Name(name), converters, tuple(classes)))
        self.by_name = {case.name: case for case in self.cases}

    def lower(self, value, keep):
        """The chosen case and the pointer to its payload (None where it has none)."""
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
            return case, None
        return case, _boxed(case.converters[0], payload, keep)

    def lift(self, case, payload):
        """The Python value of `case` with its payload at the pointer `payload`."""
        value = None if case.converters is None else case.converters[1](payload[0])
        return Variant(case.name, value) if self.tagged else value


def _variant(ty):
    cases = _Cases(ty)

    def lower(value, c, keep):
        case, payload = cases.lower(value, keep)
        c.kind = _VARIANT
        c.of.variant.discriminant = case.encoded.vec
        c.of.variant.val = payload

    def lift(c):
        v = c.of.variant
        return cases.lift(cases.by_name[string_at(v.discriminant.data, v.discriminant.size).decode("utf-8")], v.val)

    return lower, lift


def _option(ty):
    cases = _Cases(ty)
    none, some = cases.cases
    lower_some = some.converters[0]

    def lower(value, c, keep):
        c.kind = _OPTION
        if cases.tagged:
            c.of.option = cases.lower(value, keep)[1]
        elif value is not None:  # None: the null pointer the zeroed value holds
            if not isinstance(value, some.classes):
                raise ValueError("value not valid for this variant")
            c.of.option = _boxed(lower_some, value, keep)

    def lift(c):
        payload = c.of.option
        return cases.lift(some if payload else none, payload)

    return lower, lift


def _result(ty):
    cases = _Cases(ty)
    ok, err = cases.cases

    def lower(value, c, keep):
        case, payload = cases.lower(value, keep)
        c.kind = _RESULT
        c.of.result.is_ok = case is ok
        c.of.result.val = payload

    def lift(c):
        r = c.of.result
        return cases.lift(ok if r.is_ok else err, r.val)

    return lower, lift


def _enum(ty):
    names = {name: _Name(name) for name in ty.names}

    def lower(value, c, keep):
        if not isinstance(value, str):
            raise TypeError("expected str type")
        if value not in names:
            raise ValueError(f"{value!r} is not a case of this enum")
        c.kind = _ENUM
        c.of.enumeration = names[value].vec

    def lift(c):
        e = c.of.enumeration
        return string_at(e.data, e.size).decode("utf-8")

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

    `lower(value, c, keep)` writes `value` into the zeroed `wasmtime_component_val_t` `c`,
    appending to `keep` what must stay alive until the C API has read it; `lift(c)` reads the
    value at `c`."""
    try:
        return converters_of(ty)
    except Unsupported:
        return None


def lower_owned(lower, value, dst):
    """`value` lowered into `dst` (a pointer to a value Wasmtime will free), with one deep copy."""
    keep = []
    src = _Val()
    lower(value, src, keep)
    ffi.wasmtime_component_val_clone(byref(src), dst)


def call(func, store, lowers, params, lift):
    """Calls the export `func` (a wasmtime-py Func) with `params` lowered by `lowers`, and returns
    its result lifted by `lift` (None where it has none); the result is freed in one call."""
    if len(params) != len(lowers):
        raise TypeError(f"wrong number of parameters provided: given {len(params)}, expected {len(lowers)}")
    keep = []
    args = (_Val * len(params))()
    for i, (lower, value) in enumerate(zip(lowers, params)):
        lower(value, args[i], keep)
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
        return lift(result)
    finally:
        ffi.wasmtime_component_val_delete(byref(result))
