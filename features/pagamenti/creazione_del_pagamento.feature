# language: it
@pratica
Funzionalità: Creazione del pagamento a partire da una pratica del cittadino
  Al termine della domanda di occupazione suolo pubblico il cittadino deve 20 euro di
  diritti di segreteria. La piattaforma pubblica il pagamento in CREATION_PENDING sul
  topic payments; il proxy crea la posizione debitoria sull'intermediario e pubblica
  PAYMENT_PENDING con codice avviso, IUV e i link per pagare.

  Scenario: la domanda di occupazione suolo pubblico genera un avviso pagoPA da 20 euro
    Dato il cittadino "Mario Rossi" con codice fiscale "RSSMRA80A01H501U"
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora la piattaforma pubblica il pagamento in stato CREATION_PENDING
    E il pagamento passa in stato PAYMENT_PENDING
    E il pagamento riporta codice avviso, IUV e i link per pagare
    E l'importo del pagamento è 20,00 euro
    E l'intermediario conosce la posizione debitoria di quel pagamento
    E l'avviso di pagamento si scarica in PDF

  Scenario: lo stesso evento ripubblicato non crea una seconda posizione debitoria
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando la piattaforma ripubblica lo stesso evento CREATION_PENDING
    Allora il proxy ignora l'evento ripubblicato
    E il pagamento resta in stato PAYMENT_PENDING con lo stesso IUV

  Scenario: una pratica senza configurazione del servizio è ignorata dal proxy
    Dato il cittadino "Mario Rossi" con codice fiscale "RSSMRA80A01H501U"
    Quando il cittadino presenta una domanda per un servizio che il proxy non conosce
    Allora il proxy non crea alcuna posizione debitoria per quella pratica
