import factory
from allauth.account.models import EmailAddress

from accounts.models import User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="sv_SE")
    # English, so that tests read the messages they assert; Swedish stays the site default.
    language = "en"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def second_factor(user, create, extracted, **kwargs):
        # Staff must have one; pass second_factor=False to make a staff user without it.
        if create and user.is_staff and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            TOTP.activate(user, generate_totp_secret())

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        # allauth's mandatory verification: factory users have a verified address.
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
