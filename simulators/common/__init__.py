"""What the simulators share: fault profiles, admin API, access control, safe XML, servers."""
