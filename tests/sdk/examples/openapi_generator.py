import users_service_client as sdk

api = sdk.ApiClient(sdk.Configuration(host="http://127.0.0.1:8080"))
token = sdk.AuthApi(api).create_token(grant_type="password", username="ada@example.com", password="correct horse battery staple")
api.configuration.access_token = token.access_token
print(sdk.UsersApi(api).get_current_user().data.attributes.name)
