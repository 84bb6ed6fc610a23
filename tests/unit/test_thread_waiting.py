"""The kernels package makes Numba's OpenMP threads wait passively unless the user chose otherwise."""
import os
import subprocess
import sys

CHECK = "import os, airmodel.kernels.advection; print(os.environ.get('OMP_WAIT_POLICY'))"


def _policy_after_import(env_value):
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if env_value is not None:
        env["OMP_WAIT_POLICY"] = env_value
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_passive_waiting_is_the_default():
    assert _policy_after_import(None) == "PASSIVE"


def test_the_users_choice_is_kept():
    assert _policy_after_import("ACTIVE") == "ACTIVE"
