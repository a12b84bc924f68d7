"""What the kernel offers for confining engines' servers."""
import ctypes


def landlock_abi():
    """The kernel's Landlock ABI version (0: none)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint(1))  # landlock_create_ruleset(VERSION)
    return max(version, 0)
