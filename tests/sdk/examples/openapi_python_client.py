from users_service_client import AuthenticatedClient, Client
from users_service_client.api.auth import create_token
from users_service_client.api.users import get_current_user
from users_service_client.models import TokenRequest

credentials = TokenRequest(grant_type="password", username="ada@example.com", password="correct horse battery staple")
token = create_token.sync(client=Client(base_url="http://127.0.0.1:8080"), body=credentials)
me = get_current_user.sync(client=AuthenticatedClient(base_url="http://127.0.0.1:8080", token=token.access_token))
print(me.data.attributes.name)
