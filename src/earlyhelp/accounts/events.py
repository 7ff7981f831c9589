"""The coded events staff accounts write to the audit log."""

TWO_FACTOR_ENROLLED = "two_factor.enrolled"
TWO_FACTOR_VERIFIED = "two_factor.verified"
TWO_FACTOR_FAILED = "two_factor.verification_failed"
RECOVERY_CODE_USED = "two_factor.recovery_code_used"
RECOVERY_CODES_REGENERATED = "two_factor.recovery_codes_regenerated"
TWO_FACTOR_RESET = "two_factor.reset"
