"""Rows of Airflow's connection and variable tables, encrypted as Airflow encrypts them.

Airflow's get_fernet() is cryptography's MultiFernet over the comma-separated [core] fernet_key;
rows are written here with cryptography's Fernet directly: the current key, a rotated-out key still
listed second in fernet_key, a key fernet_key no longer lists (those rows must be reported), and no
encryption at all (is_encrypted false, as with an empty fernet_key). stdout: JSON.
"""
import json

from cryptography.fernet import Fernet

current, rotated, lost = Fernet.generate_key(), Fernet.generate_key(), Fernet.generate_key()
keys = {"current": Fernet(current), "rotated": Fernet(rotated), "lost": Fernet(lost)}


def enc(key, text):
    return keys[key].encrypt(text.encode("utf-8")).decode("ascii") if key else text


def connection(conn_id, conn_type, *, host=None, login=None, password=None, schema=None, port=None,
               extra=None, description=None, key="current", extra_key="current", readable=True):
    return {
        "row": {
            "conn_id": conn_id, "conn_type": conn_type, "host": host, "schema": schema, "login": login,
            "password": enc(key, password) if password is not None else None,
            "port": port,
            "extra": enc(extra_key, extra) if extra is not None else None,
            "is_encrypted": bool(key) and password is not None,
            "is_extra_encrypted": bool(extra_key) and extra is not None,
            "description": description,
        },
        "expected": None if not readable else {
            "conn_type": conn_type, "host": host, "login": login, "password": password, "schema": schema,
            "port": port, "extra": extra, "description": description,
        },
    }


def variable(key_name, val, *, key="current", readable=True):
    return {
        "row": {"key": key_name, "val": enc(key, val), "is_encrypted": bool(key), "description": None},
        "expected": val if readable else None,
    }


connections = [
    connection("pg_main", "postgres", host="db.internal", login="airflow",
               password="CANARY_SM_PG_p@ss/w:rd% 1", schema="airflow", port=5432,
               extra='{"sslmode": "require"}', description="main database"),
    connection("http_rotated", "http", host="https://api.example.com", login="svc",
               password="CANARY_SM_HTTP_9f1c", key="rotated", extra_key="rotated",
               extra='{"headers": {"X-Token": "CANARY_SM_HDR_77ab"}, "timeout": 30}'),
    connection("plain_gcp", "google_cloud_platform", password="CANARY_SM_PLAIN_3e2d", key=None,
               extra='{"project": "p-1"}', extra_key=None),
    connection("lost_key", "mysql", host="h", login="u", password="CANARY_SM_LOST_c0de", key="lost",
               readable=False),
    connection("redis_v6", "redis", host="::1", port=6379, extra=None),
]
variables = [
    variable("api_token", "CANARY_SM_VAR_TOKEN_5a5a"),
    variable("rotated_var", "CANARY_SM_VAR_ROT_6b6b", key="rotated"),
    variable("plain_var", "hello world", key=None),
    variable("json_var", '{"a": [1, 2], "b": "CANARY_SM_VAR_JSON_7c7c"}'),
    variable("lost_var", "CANARY_SM_VAR_LOST_8d8d", key="lost", readable=False),
]

tokens = [
    {"key": k, "plaintext": p, "token": enc(k, p)}
    for k, p in [("current", "CANARY_SM_TOKEN_ünï"), ("rotated", ""), ("lost", "CANARY_SM_TOKEN_LOST")]
]

json.dump({
    "keys": {k: v.decode("ascii") for k, v in {"current": current, "rotated": rotated, "lost": lost}.items()},
    "fernet_key": f"{current.decode()},{rotated.decode()}",
    "connections": connections,
    "variables": variables,
    "tokens": tokens,
}, __import__("sys").stdout)
