"""Tests of the platform / Area Personale simulator."""
