"""Parses Airflow connection URIs exactly as Airflow does, for the round-trip tests.

A port of Connection._parse_from_uri, _parse_netloc_to_hostname, _normalize_conn_type and
_create_host from apache/airflow airflow-core/src/airflow/models/connection.py (commit
00308050353f89aece0913a52f5628ee99e93f21; the same code is in airflow/models/connection.py of
2.7+), on Python's own urllib.parse. `--airflow1` applies Airflow 1.10's parse_from_uri instead,
which has no __extra__ key and no host protocol.

stdin: a JSON list of URIs. stdout: a JSON list of {conn_type, host, schema, login, password,
port, extra} or {"error": "..."}.
"""
import json
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

EXTRA_KEY = "__extra__"


def _parse_netloc_to_hostname(uri_parts):
    hostname = unquote(uri_parts.hostname or "")
    if "/" in hostname:
        hostname = uri_parts.netloc
        if "@" in hostname:
            hostname = hostname.rsplit("@", 1)[1]
        if ":" in hostname:
            hostname = hostname.split(":", 1)[0]
        hostname = unquote(hostname)
    return hostname


def _normalize_conn_type(conn_type):
    if conn_type == "postgresql":
        conn_type = "postgres"
    elif "-" in conn_type:
        conn_type = conn_type.replace("-", "_")
    return conn_type


def _create_host(protocol, host):
    if not host:
        return host
    if protocol:
        return f"{protocol}://{host}"
    return host


def parse(uri):
    conn = {"extra": None}
    schemes_count_in_uri = uri.count("://")
    if schemes_count_in_uri > 2:
        raise ValueError("Invalid connection string")
    host_with_protocol = schemes_count_in_uri == 2
    uri_parts = urlsplit(uri)
    conn_type = uri_parts.scheme
    conn["conn_type"] = _normalize_conn_type(conn_type)
    rest_of_the_url = uri.replace(f"{conn_type}://", ("" if host_with_protocol else "//"))
    if host_with_protocol:
        uri_splits = rest_of_the_url.split("://", 1)
        if "@" in uri_splits[0] or ":" in uri_splits[0]:
            raise ValueError("Invalid connection string")
    uri_parts = urlsplit(rest_of_the_url)
    protocol = uri_parts.scheme if host_with_protocol else None
    host = _parse_netloc_to_hostname(uri_parts)
    conn["host"] = _create_host(protocol, host)
    quoted_schema = uri_parts.path[1:]
    conn["schema"] = unquote(quoted_schema) if quoted_schema else quoted_schema
    conn["login"] = unquote(uri_parts.username) if uri_parts.username else uri_parts.username
    conn["password"] = unquote(uri_parts.password) if uri_parts.password else uri_parts.password
    conn["port"] = uri_parts.port
    if uri_parts.query:
        query = dict(parse_qsl(uri_parts.query, keep_blank_values=True))
        if EXTRA_KEY in query:
            conn["extra"] = query[EXTRA_KEY]
        else:
            conn["extra"] = json.dumps(query)
    return conn


def parse_airflow1(uri):
    # Airflow 1.10.12 airflow/models/connection.py parse_from_uri (urlparse, no __extra__).
    from urllib.parse import urlparse

    uri_parts = urlparse(uri)
    conn_type = uri_parts.scheme
    if conn_type == "postgresql":
        conn_type = "postgres"
    elif "-" in conn_type:
        conn_type = conn_type.replace("-", "_")
    conn = {"conn_type": conn_type, "extra": None}
    conn["host"] = _parse_netloc_to_hostname(uri_parts)
    quoted_schema = uri_parts.path[1:]
    conn["schema"] = unquote(quoted_schema) if quoted_schema else quoted_schema
    conn["login"] = unquote(uri_parts.username) if uri_parts.username else uri_parts.username
    conn["password"] = unquote(uri_parts.password) if uri_parts.password else uri_parts.password
    conn["port"] = uri_parts.port
    if uri_parts.query:
        conn["extra"] = json.dumps(dict(parse_qsl(uri_parts.query, keep_blank_values=True)))
    return conn


def main():
    fn = parse_airflow1 if "--airflow1" in sys.argv else parse
    out = []
    for uri in json.load(sys.stdin):
        try:
            out.append(fn(uri))
        except ValueError as e:
            out.append({"error": type(e).__name__})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
