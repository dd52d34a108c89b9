from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

# Devices change only through two_factor.py, which audits each change
# (`medir manage reset_two_factor` for a lost phone); the admin's own
# device pages would change them unaudited and show their keys.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
