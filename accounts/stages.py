from allauth.account import stages


class EmailVerificationStage(stages.EmailVerificationStage):
    """Verification is mandatory for a sign-up, so that a taken address gets the same
    answer as a new one (the owner is e-mailed instead). An existing account logs in
    unverified and can look around; creating a fine-tune asks for the verification."""

    def handle(self):
        if self.login.user is not None and not self.login.signup:
            return None, True
        return super().handle()
