"""Function types derived once, not on every call.

wasmtime-py (pinned: 51.0.0) asks the C API for a function's type on every call and walks it again
at every level of every value it converts (a read derived 63 types). Here each type tree is derived
once and kept: its nodes are given subclasses whose properties return what was derived, so that
wasmtime-py's own conversions run unchanged on them. Imports are registered with a trampoline that
keeps each import's types the same way. A type this module does not know is left as wasmtime-py
made it, and so is a function that takes or returns a resource (a resource type belongs to a store).
A function whose types `_values` converts all (every function of the contract but the lock's
`acquire`) has its values converted there, whole, instead of by wasmtime-py's node by node.

This leans on wasmtime-py's layout (`_types`, `_enter`, `_ffi`), which is why the wheel pins its
version; where that layout differs (this module fails to import, or `supported()` says no) the host
uses wasmtime-py's own path. tests/test_contract.py checks that a second read derives no type and
that both paths answer alike; the conformance suite runs this path."""

import itertools
from ctypes import CFUNCTYPE, c_void_p, create_string_buffer

from wasmtime import WasmtimeError
from wasmtime import _ffi as ffi
from wasmtime.component import Func
from wasmtime.component import _types as types
from wasmtime.component._enter import catch_exceptions

from . import _values


def supported():
    """Whether the installed wasmtime-py has the layout this module was written against."""
    needed = (
        (types, ("valtype_from_ptr", "FuncType", "RecordType", "VariantType", "OptionType", "ResultType")),
        (types, ("ListType", "TupleType", "OwnType", "BorrowType", "VariantLikeType")),
        (ffi, ("wasmtime_component_func_callback_t", "wasmtime_component_linker_instance_add_func")),
        (ffi, ("wasmtime_component_val_clone", "wasmtime_component_val_delete", "wasmtime_component_func_call")),
    )
    return all(hasattr(module, name) for module, names in needed for name in names) and _values.layout_holds()


class _Record(types.RecordType):
    fields = property(lambda self: self._derived)


class _List(types.ListType):
    element = property(lambda self: self._derived)

    def _is_bytes(self):
        return self._bytes


class _Tuple(types.TupleType):
    elements = property(lambda self: self._derived)


def _variant_like(base, **properties):
    """`base` with its cases, whether they need a `Variant` tag, and the Python classes they take
    read from what `settle` derived (one class, not a mixin: `__class__` needs the same layout)."""
    methods = {
        "_cases": lambda self: self._derived,
        "_tagged": lambda self: self._tagged_once,
        "add_classes": lambda self, s: s.update(self._classes),
    }
    return type("_" + base.__name__, (base,), {**methods, **properties})


_Variant = _variant_like(types.VariantType, cases=property(lambda self: self._derived))
_Option = _variant_like(types.OptionType, payload=property(lambda self: self._derived[1][1]))
_Result = _variant_like(
    types.ResultType,
    ok=property(lambda self: self._derived[0][1]),
    err=property(lambda self: self._derived[1][1]),
)


class _FuncType:
    """A function's parameter and result types, derived once (the C API's type object need not
    outlive this), and, once `bulk()` has found them all, their converters from `_values`."""

    def __init__(self, fty):
        self.params = [(name, settle(ty)) for name, ty in fty.params]
        result = fty.result
        self.result = None if result is None else settle(result)
        self.names = self.lowers = self.lifts = self.lower_result = self.lift_result = None

    def bulk(self):
        """Whether `_values` converts every parameter and the result (then kept here)."""
        params = [_values.converters(ty) for _, ty in self.params]
        result = None if self.result is None else _values.converters(self.result)
        if None in params or (self.result is not None and result is None):
            return False
        # For messages, as the host's Python API names them (`page_size` for the WIT's `page-size`).
        self.names = [name.replace("-", "_") for name, _ in self.params]
        self.lowers = [lower for lower, _ in params]
        self.lifts = [lift for _, lift in params]
        if result is not None:
            self.lower_result, self.lift_result = result
        return True


class _Func(Func):
    """A wasmtime-py Func whose types are derived once; where `_values` converts them all, a call
    returns its result with records as dicts (the host's `_plain` leaves those as they are)."""

    def type(self, store):
        return self._derived

    def __call__(self, store, *params):
        derived = self._derived
        if derived.lowers is None:
            return super().__call__(store, *params)
        return _values.call(self, store, derived.names, derived.lowers, params, derived.lift_result)


def settle(ty):
    """`ty` with the types under it derived once; it keeps converting values as wasmtime-py does."""
    if isinstance(ty, types.RecordType):
        ty._derived = [(name, settle(field)) for name, field in ty.fields]
        ty.__class__ = _Record
    elif isinstance(ty, types.ListType):
        ty._derived = settle(ty.element)
        ty._bytes = isinstance(ty._derived, types.U8)
        ty.__class__ = _List
    elif isinstance(ty, types.TupleType):
        ty._derived = [settle(element) for element in ty.elements]
        ty.__class__ = _Tuple
    elif isinstance(ty, (types.VariantType, types.OptionType, types.ResultType)):
        derived = [(name, None if case is None else settle(case)) for name, case in ty._cases()]
        ty._derived = derived
        ty._tagged_once = types.VariantLikeType._tagged(ty)
        classes = set()
        types.VariantLikeType.add_classes(ty, classes)
        ty._classes = frozenset(classes)
        ty.__class__ = {types.VariantType: _Variant, types.OptionType: _Option, types.ResultType: _Result}[type(ty)]
    return ty


def _holds_resource(ty):
    if isinstance(ty, (types.OwnType, types.BorrowType)):
        return True
    if isinstance(ty, _Record):
        return any(_holds_resource(field) for _, field in ty._derived)
    if isinstance(ty, (_Variant, _Option, _Result)):
        return any(case is not None and _holds_resource(case) for _, case in ty._derived)
    if isinstance(ty, _List):
        return _holds_resource(ty._derived)
    if isinstance(ty, _Tuple):
        return any(_holds_resource(element) for element in ty._derived)
    return False


def _keepable(derived):
    """`derived` (a _FuncType), or None if it holds a resource type and so must be derived per call.
    A kept one converts its values in bulk where `_values` converts all its types."""
    tys = [ty for _, ty in derived.params] + ([] if derived.result is None else [derived.result])
    if any(_holds_resource(ty) for ty in tys):
        return None
    derived.bulk()
    return derived


def settled_func(func, store):
    """`func` (an export) with its type derived once; unchanged if its type holds a resource."""
    derived = _keepable(_FuncType(func.type(store)))
    if derived is not None:
        func._derived = derived
        func.__class__ = _Func
    return func


# Import functions by the handle the trampoline is given: [function, its types once derived].
# Handles count from 1 and are never reused (a null `void *` reads back as 0).
_IMPORTS = {}
_HANDLES = itertools.count(1)
_UNSETTLED = object()


@ffi.wasmtime_component_func_callback_t
def _trampoline(idx, context, ty_raw, args, nargs, results, nresults):
    # wasmtime-py's own trampoline, but with the function's types kept after its first call.
    def run(store):
        entry = _IMPORTS[idx or 0]
        function, derived = entry
        if derived is _UNSETTLED or derived is None:
            with types.FuncType._from_ptr(ty_raw, owner=store) as fty:
                fresh = _FuncType(fty)
            if derived is _UNSETTLED:
                entry[1] = derived = _keepable(fresh)
            if derived is None:
                derived = fresh
        if derived.lifts is not None:
            # Wasmtime frees the arguments after this returns, and the copy of the answer.
            result = function(store, *_values.lift_args(derived.lifts, args, nargs))
            if derived.lower_result is not None:
                _values.lower_owned(derived.lower_result, result, results)
            return
        params = [ty.convert_from_c(args[i]) for (_, ty), i in zip(derived.params, range(nargs))]
        result = function(store, *params)
        if derived.result is not None:
            derived.result.convert_to_c(store, result, results)

    return catch_exceptions(context, run)


@CFUNCTYPE(None, c_void_p)
def _finalize(idx):
    _IMPORTS.pop(idx or 0, None)


def add_func(linker_instance, name, function):
    """`linker_instance.add_func(name, function)`, with the function's types derived once."""
    linker_instance._assert_not_locked()
    name_bytes = name.encode("utf-8")
    idx = next(_HANDLES)
    _IMPORTS[idx] = [function, _UNSETTLED]
    error = ffi.wasmtime_component_linker_instance_add_func(
        linker_instance.ptr(), create_string_buffer(name_bytes), len(name_bytes), _trampoline, idx, _finalize
    )
    if error:
        raise WasmtimeError._from_ptr(error)
