"""Tests of collaudo.net: network namespaces, routes, collaudo doctor."""
